using FaceKit.Core.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FaceKit.Server.Hosting;

/// <summary>Turns FaceKit's typed errors and oversized bodies into problem-details responses; never a stack trace.</summary>
internal static class ErrorResponses
{
    public static int StatusOf(ErrorCode code) => code switch
    {
        ErrorCode.BadInput or ErrorCode.NoFace => StatusCodes.Status400BadRequest,
        ErrorCode.NotFound => StatusCodes.Status404NotFound,
        ErrorCode.Conflict => StatusCodes.Status409Conflict,
        ErrorCode.ModelMissing or ErrorCode.StorageUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult Problem(int status, string detail, string? code = null) =>
        Results.Problem(detail: detail, statusCode: status, title: Title(status),
            extensions: code is null ? null : new Dictionary<string, object?> { ["code"] = code });

    public static async Task Handle(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        IResult result = error switch
        {
            FaceKitException e => Problem(StatusOf(e.Code), e.Message, e.Code.ToString()),
            NotLiveException e => Problem(StatusCodes.Status422UnprocessableEntity, e.Message, "NotLive"),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                Problem(StatusCodes.Status413PayloadTooLarge, "the upload is larger than the server's limit", "TooLarge"),
            InvalidDataException e => Problem(StatusCodes.Status413PayloadTooLarge, "the upload is larger than the server's limit (" + e.Message + ")", "TooLarge"),
            BadHttpRequestException e => Problem(e.StatusCode, e.Message, "BadRequest"),
            _ => Problem(StatusCodes.Status500InternalServerError, "internal error", ErrorCode.Internal.ToString()),
        };
        if (error is not (FaceKitException or NotLiveException or BadHttpRequestException or InvalidDataException))
            context.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("FaceKit.Server").LogError(error, "request failed");
        await result.ExecuteAsync(context);
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad input",
        401 => "API key required",
        404 => "Not found",
        409 => "Conflict",
        413 => "Upload too large",
        422 => "Not a live face",
        503 => "Unavailable",
        _ => "Error",
    };
}

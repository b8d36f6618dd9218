using FaceKit.Evaluation.Extraction;
using FaceKit.Evaluation.Kisa;
using FaceKit.Evaluation.Pairs;
using FaceKit.Evaluation.Verification;
using FaceKit.Inference;
using FaceKit.Testing;

namespace FaceKit.Evaluation.Tests.RealModels;

/// <summary>The evaluation protocols on the real default models and real data: the figures the README states.</summary>
public class RealModelEvaluationTests
{
    /// <summary>lfw-devtest accuracy the README states for the default pipeline (10-fold, View 1 test split).</summary>
    private const double ReadmeLfwDevTestAccuracy = 0.9910;

    private static FacePipeline CreatePipeline(bool cropFallback) => FacePipeline.Create(new PipelineOptions
    {
        ModelDirectory = TestModels.Directory,
        Inference = new() { IntraOpThreads = 1 },
        Detection = new() { CropFallbackMaxSide = cropFallback ? 256 : 0 },
    });

    [RealModelFact]
    public void LfwDevTest_MatchesTheReadmeAccuracy_WithAucAbove099()
    {
        using var pipeline = CreatePipeline(cropFallback: false);
        var pairs = LfwPairs.Read(SharedData.Path("lfw-devtest", "pairsDevTest.txt"), SharedData.Path("lfw-devtest", "images"));

        var report = new VerificationRunner(new PipelineTemplateExtractor(pipeline, pipeline.EmbedderId))
            .Run(pairs, new VerificationOptions { Bootstrap = null }).Report;

        Assert.Equal(1000, report.Pairs);
        Assert.Equal(0, report.FailuresToAcquire);
        Assert.InRange(report.Accuracy, ReadmeLfwDevTestAccuracy - 0.005, ReadmeLfwDevTestAccuracy + 0.005);
        Assert.True(report.Auc > 0.99, $"AUC {report.Auc}");
        Assert.Null(report.TprAtFpr["1e-3"]); // 500 impostor pairs cannot resolve 1e-3: must say so, not guess
    }

    [RealModelFact]
    public void YaleBLighting_GivesPerConditionRates_AndPassFailFollowsTheEer()
    {
        using var pipeline = CreatePipeline(cropFallback: true);
        var set = YaleB.Read(SharedData.Path("yaleb-dev"));

        var report = new KisaRunner(new PipelineTemplateExtractor(pipeline, pipeline.EmbedderId)).Run(set).Report;

        var lighting = Assert.Single(report.Categories);
        Assert.Equal(0, report.FailuresToAcquire); // the tight-crop fallback leaves no Yale B crop without a face
        Assert.Equal(4, lighting.Conditions.Count);
        var byCondition = lighting.Conditions.ToDictionary(c => c.Condition, c => c.Rates.Eer!.Value);
        // Extreme light is where face models fail: the farthest condition must be the hardest.
        Assert.True(byCondition["angle>77"] >= byCondition["angle<=25"], string.Join(", ", byCondition));
        // Near-frontal light is easy (0.69 % measured): a regression in tight-crop detection shows here first.
        Assert.True(byCondition["angle<=25"] <= 0.02, string.Join(", ", byCondition));
        Assert.Equal(lighting.Rates.Eer <= 0.01, lighting.Rates.Pass);
        Assert.Equal(report.Pass, report.Categories.All(c => c.Rates.Pass == true));
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using FaceKit.Cli.Output;
using FaceKit.Inference;
using FaceKit.Video.Processing;
using FaceKit.Video.Sources;

namespace FaceKit.Cli.Commands;

/// <summary>
/// `facekit bench video FILE`: the live loop (reader thread → newest-frame slot → detect/track/recognise) on a
/// video decoded as fast as possible, at 640×480 by default: processed fps, end-to-end latency per frame, stage
/// times, faces per frame and CPU use, against bare ffmpeg decoding in the same process as the baseline.
/// </summary>
public static class BenchVideoCommand
{
    public static Command Build(ContextHolder holder)
    {
        var file = new Argument<string>("FILE") { Description = "video file (or rtsp://…, camera:N, a folder of images)" };
        var frames = new Option<int>("--frames") { Description = "processed frames timed per run (the file loops)", DefaultValueFactory = _ => 500 };
        var runs = new Option<int>("--runs") { Description = "timed runs; the median run is reported", DefaultValueFactory = _ => 3 };
        var width = new Option<int>("--width") { Description = "frame width the source is scaled to", DefaultValueFactory = _ => 640 };
        var height = new Option<int>("--height") { Description = "frame height the source is scaled to", DefaultValueFactory = _ => 480 };
        var detectEvery = new Option<int>("--detect-every") { Description = "run the detector on every k-th frame", DefaultValueFactory = _ => 1 };
        var viewFps = new Option<double>("--view-fps") { Description = "a browser watching: draw and JPEG-encode the view at most this often (0 = nobody watches)", DefaultValueFactory = _ => 0 };
        var drop = new Option<bool>("--drop") { Description = "drop frames the loop is too slow for, as the live app does (default: process every frame)" };
        var command = new Command("video", "processed fps, latency and CPU of the real-time loop on a video, against bare decoding")
            { file, frames, runs, width, height, detectEvery, viewFps, drop };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var spec = SourceSpec.Parse(parse.GetValue(file)!);
            var settings = new Settings(Math.Max(10, parse.GetValue(frames)), Math.Max(1, parse.GetValue(runs)),
                parse.GetValue(width), parse.GetValue(height), Math.Max(1, parse.GetValue(detectEvery)), Math.Max(0, parse.GetValue(viewFps)),
                !parse.GetValue(drop));
            var result = Run(ctx, spec, settings);
            if (ctx.Json) JsonOutput.Write(ctx.Out, result);
            else Print(ctx.Out, result);
            return ExitCodes.Success;
        });
        return command;
    }

    private sealed record Settings(int Frames, int Runs, int Width, int Height, int DetectEvery, double ViewFps, bool Lossless);

    public sealed record RunResult(
        double ProcessedFps, long Processed, long Decoded, long Dropped, double Seconds, double LatencyMedianMs, double LatencyP95Ms,
        double FacesPerFrame, int MaxFaces, long Embeddings, long ViewFrames, double CpuPercent, double DecoderCpuPercent, double CpuMsPerFrame,
        long FrameBuffersAllocated, int Gen2Collections, double AllocatedMbPerFrame, IReadOnlyList<StageStats> Stages);

    public sealed record VideoBenchResult(
        string Machine, string Source, int Width, int Height, int DetectEvery, double ViewFps, bool Lossless, int Runs,
        double DecodeFps, double ProcessedFps, double ProcessedToDecodeRatio, double DetectorModelMedianMs, double ProcessToDetectorRatio,
        RunResult Median, IReadOnlyList<double> RunsFps);

    /// <summary>The detector alone on a frame already at its input size: the floor a frame with detection cannot go under.</summary>
    private static double DetectorFloor(SourceSpec spec, FrameSourceOptions sourceOptions, FacePipeline pipeline, RecognitionOptions recognition)
    {
        using var source = new FrameSource(spec, sourceOptions with { Loop = false, DropFrames = false });
        source.Start();
        var frame = source.Read(TimeSpan.FromSeconds(10)) ?? throw Core.Errors.FaceKitException.BadInput($"{spec.Display}: no frame");
        var (w, h) = recognition.DetectorInput;
        var input = w > 0 && h > 0 ? Inference.Imaging.MatConversion.Resize(frame.Image, w, h) : frame.Image;
        var timer = new StageTimer();
        pipeline.Detector.Detect(input);
        for (int i = 0; i < 50; i++) timer.Time("detector", () => pipeline.Detector.Detect(input));
        return timer.Summary().First().MedianMs;
    }

    private static VideoBenchResult Run(CliContext ctx, SourceSpec spec, Settings s)
    {
        // Every frame is processed (the reader waits for the loop instead of dropping): the same frames, tracks and
        // embeddings in every run and build, so the figures compare; the live app drops instead (DropFrames).
        var sourceOptions = new FrameSourceOptions { Realtime = false, Loop = true, Width = s.Width, Height = s.Height, DropFrames = !s.Lossless };
        using var pipeline = FacePipeline.Create(ctx.PipelineOptions with { Detection = RecognitionOptions.VideoDetection }, ctx.Logger("FaceKit.Inference"));
        var recognition = new RecognitionOptions { DetectEvery = s.DetectEvery, Threshold = ctx.DefaultThreshold };

        // Baseline: ffmpeg's pipe read bare, as many frames as one run decodes at most.
        var decode = DecodeBaseline.Run(spec, sourceOptions, Math.Max(s.Frames, 250));
        double decodeFps = decode.Frames / decode.Seconds;

        // Warm-up: lazy initialisation in ONNX Runtime, OpenCV and the JIT is not part of any run.
        Once(spec, sourceOptions, pipeline, recognition, s with { Frames = 20 });
        var results = Enumerable.Range(0, s.Runs).Select(_ => Once(spec, sourceOptions, pipeline, recognition, s)).ToList();
        var median = results.OrderBy(r => r.ProcessedFps).ElementAt(results.Count / 2);
        var floor = DetectorFloor(spec, sourceOptions, pipeline, recognition);
        return new VideoBenchResult(BenchCommand.MachineDescription(), spec.Display, decode.Width, decode.Height, s.DetectEvery, s.ViewFps, s.Lossless, s.Runs,
            Math.Round(decodeFps, 1), Math.Round(median.ProcessedFps, 1), Math.Round(median.ProcessedFps / decodeFps, 3),
            Math.Round(floor, 3), Math.Round(median.Stages.First(t => t.Stage == "process frame").MedianMs / floor, 2), median,
            results.Select(r => Math.Round(r.ProcessedFps, 1)).ToList());
    }

    private static RunResult Once(SourceSpec spec, FrameSourceOptions sourceOptions, FacePipeline pipeline, RecognitionOptions recognition, Settings s)
    {
        var timer = new StageTimer();
        var latencies = new List<double>(s.Frames);
        var processor = new FrameProcessor(pipeline, gallery: null, recognition);
        var view = new ViewBench(s.ViewFps, s.Width, s.Height);
        long faces = 0;
        int maxFaces = 0;
        var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        int gen2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes();
        var children0 = ChildrenCpu();
        long start = Stopwatch.GetTimestamp(), processed = 0, decoded, dropped, buffers;
        using (var source = new FrameSource(spec, sourceOptions))
        {
            source.Start();
            while (processed < s.Frames)
            {
                long w0 = Stopwatch.GetTimestamp();
                var frame = source.Read(TimeSpan.FromSeconds(10));
                if (frame is null)
                {
                    if (source.Finished) throw Core.Errors.FaceKitException.BadInput($"{spec.Display}: {source.Status.State} ({source.Status.LastError}) after {processed} frames");
                    continue;
                }
                long p0 = Stopwatch.GetTimestamp();
                var result = processor.Process(frame);
                long p1 = Stopwatch.GetTimestamp();
                double total = Stopwatch.GetElapsedTime(p0, p1).TotalMilliseconds;
                timer.Add("wait for frame", Stopwatch.GetElapsedTime(w0, p0).TotalMilliseconds);
                if (result.Detected) timer.Add("detect", result.DetectMs);
                if (result.Detected) timer.Add("track+recognise", result.EmbedMs);
                timer.Add("annotate", result.AnnotateMs);
                timer.Add("other (cut check…)", Math.Max(0, total - result.DetectMs - result.EmbedMs - result.AnnotateMs));
                timer.Add("process frame", total);
                double viewMs = view.Offer(result);
                if (viewMs >= 0) timer.Add("view draw+jpeg", viewMs);
                latencies.Add(Stopwatch.GetElapsedTime(frame.CapturedTimestamp).TotalMilliseconds);
                frame.Release();
                faces += result.Faces;
                maxFaces = Math.Max(maxFaces, result.Faces);
                processed++;
            }
            decoded = source.Status.FramesRead;
            dropped = source.Status.FramesDropped;
            buffers = source.BuffersAllocated;
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpu0).TotalSeconds / seconds * 100;
        double decoderCpu = (ChildrenCpu() - children0).TotalSeconds / seconds * 100;
        var lat = StageStats.From("latency", latencies);
        return new RunResult(Math.Round(processed / seconds, 1), processed, decoded, dropped, Math.Round(seconds, 3), Math.Round(lat.MedianMs, 2), Math.Round(lat.P95Ms, 2),
            Math.Round((double)faces / processed, 2), maxFaces, processor.Embeddings, view.Frames, Math.Round(cpu, 1), Math.Round(decoderCpu, 1),
            Math.Round((cpu + decoderCpu) / 100 * seconds * 1000 / processed, 2), buffers, GC.CollectionCount(2) - gen2, Math.Round((GC.GetTotalAllocatedBytes() - allocated) / 1e6 / processed, 3),
            timer.Summary().Select(t => t with { MedianMs = Math.Round(t.MedianMs, 3), P95Ms = Math.Round(t.P95Ms, 3), MeanMs = Math.Round(t.MeanMs, 3) }).ToList());
    }

    /// <summary>A browser watching the live view: the annotated frame JPEG-encoded at most ViewFps times a second.</summary>
    private sealed class ViewBench(double fps, int width, int height)
    {
        private long _last = long.MinValue;
        public long Frames { get; private set; }

        public double Offer(ProcessedFrame frame)
        {
            if (fps <= 0) return -1;
            long now = Stopwatch.GetTimestamp();
            if (_last != long.MinValue && Stopwatch.GetElapsedTime(_last, now).TotalSeconds < 1 / fps) return -1;
            _last = now;
            if (FrameViewEncoder.Encode(frame, width, height) is null) return -1;
            Frames++;
            return Stopwatch.GetElapsedTime(now).TotalMilliseconds;
        }
    }

    // The decoder is a child process (ffmpeg): its CPU time is counted once it has exited and been reaped.
    private static TimeSpan ChildrenCpu()
    {
        if (!OperatingSystem.IsLinux()) return TimeSpan.Zero;
        var usage = new long[18];
        if (getrusage(-1, usage) != 0) return TimeSpan.Zero;
        return TimeSpan.FromMicroseconds(usage[0] * 1_000_000 + usage[1] + usage[2] * 1_000_000 + usage[3]);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, long[] usage);

    private static void Print(TextWriter o, VideoBenchResult r)
    {
        var m = r.Median;
        o.WriteLine($"machine: {r.Machine}");
        o.WriteLine($"source: {r.Source} at {r.Width}x{r.Height}, decoded as fast as possible, {(r.Lossless ? "every frame processed" : "frames dropped when the loop is busy")}; detect every {r.DetectEvery}; view {(r.ViewFps > 0 ? $"encoded at ≤ {r.ViewFps:0.#} fps" : "not watched")}");
        o.WriteLine($"baseline (ffmpeg pipe only, same process): {r.DecodeFps:F1} fps");
        o.WriteLine($"processed: {r.ProcessedFps:F1} fps (median of {r.Runs} runs: {string.Join(", ", r.RunsFps.Select(f => f.ToString("F1")))}), {r.ProcessedToDecodeRatio:P0} of bare decoding");
        o.WriteLine($"floor: the detector alone on a frame already at its input size: {r.DetectorModelMedianMs:F2} ms median; process frame / detector: {r.ProcessToDetectorRatio:F2}×");
        o.WriteLine($"median run: {m.Processed} processed, {m.Decoded} decoded, {m.Dropped} dropped in {m.Seconds:F2} s; latency median {m.LatencyMedianMs:F1} ms, p95 {m.LatencyP95Ms:F1} ms");
        o.WriteLine($"faces per frame {m.FacesPerFrame:F2} (max {m.MaxFaces}), {m.Embeddings} embeddings, {m.ViewFrames} view frames; CPU {m.CpuPercent:F0} % this process + {m.DecoderCpuPercent:F0} % ffmpeg (100 % = one core); {m.CpuMsPerFrame:F1} CPU ms per frame, both");
        o.WriteLine($"memory: {m.AllocatedMbPerFrame:F3} MB allocated per processed frame, {m.Gen2Collections} gen-2 collections, {m.FrameBuffersAllocated} frame buffers allocated");
        o.WriteLine($"{"stage",-20} {"n",6} {"median ms",10} {"p95 ms",9} {"mean ms",9}");
        foreach (var t in m.Stages) o.WriteLine($"{t.Stage,-20} {t.Count,6} {t.MedianMs,10:F3} {t.P95Ms,9:F3} {t.MeanMs,9:F3}");
    }
}

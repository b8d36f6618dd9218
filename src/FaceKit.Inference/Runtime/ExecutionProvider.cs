namespace FaceKit.Inference.Runtime;

/// <summary>Which ONNX Runtime backend runs the models; Auto tries TensorRT, then CUDA, then CPU.</summary>
public enum ExecutionProvider { Cpu, Cuda, TensorRt, Auto }

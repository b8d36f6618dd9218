using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceKit.Training.Optimization;

/// <summary>
/// SGD with momentum and decoupled-from-nothing L2 weight decay, as torch.optim.SGD computes it (dampening 0, no
/// Nesterov): g ← ∇ + wd·p; v ← μ·v + g (v = g on the first step); p ← p − lr·v. Written here rather than taken from
/// TorchSharp so its whole state is named tensors a checkpoint stores and restores exactly.
/// </summary>
public sealed class Sgd : IDisposable
{
    private readonly List<(string Name, Parameter Param, double Decay)> _params;
    private readonly Dictionary<string, Tensor> _momentum = new();

    /// <param name="parameters">Named parameters; those not requiring grad are skipped.</param>
    /// <param name="decayOf">Weight decay of each parameter (e.g. none for BN and PReLU).</param>
    public Sgd(IEnumerable<(string Name, Parameter Param)> parameters, Func<string, Parameter, double> decayOf, double momentum = 0.9)
    {
        _params = parameters.Where(p => p.Param.requires_grad).Select(p => (p.Name, p.Param, decayOf(p.Name, p.Param))).ToList();
        Momentum = momentum;
    }

    public double Momentum { get; }

    public IReadOnlyDictionary<string, Tensor> State => _momentum;

    public void ZeroGrad()
    {
        foreach (var (_, p, _) in _params) p.grad?.zero_();
    }

    public void Step(double lr)
    {
        using var _ = no_grad();
        foreach (var (name, p, decay) in _params)
        {
            var grad = p.grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            var g = decay != 0 ? grad.add(p, alpha: decay) : grad;
            if (Momentum != 0)
            {
                if (_momentum.TryGetValue(name, out var buffer)) buffer.mul_(Momentum).add_(g);
                else _momentum[name] = buffer = g.detach().clone().DetachFromDisposeScope();
                g = buffer;
            }
            p.add_(g, alpha: -lr);
        }
    }

    /// <summary>Restores momentum buffers saved from <see cref="State"/>.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> state)
    {
        foreach (var (name, tensor) in state)
        {
            if (_momentum.Remove(name, out var old)) old.Dispose();
            _momentum[name] = tensor.detach().clone().DetachFromDisposeScope();
        }
    }

    public void Dispose()
    {
        foreach (var t in _momentum.Values) t.Dispose();
        _momentum.Clear();
    }
}

using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Recommenders;

/// <summary>
/// The end of every training epoch, shared by the trainers: ReduceLROnPlateau on the validation score, a copy of the
/// best weights, early stopping after <c>patience</c> epochs without improvement, when the time budget is spent or
/// when someone asked the job to finish early, and the epoch's progress report (loss and validation score, for the
/// job's curves).
/// </summary>
internal sealed class EarlyStopping : IDisposable
{
    private readonly nn.Module _network;
    private readonly optim.lr_scheduler.LRScheduler _scheduler;
    private readonly int _patience;
    private readonly TimeSpan? _budget;
    private readonly int _maxEpochs;
    private readonly string _metric;
    private readonly CancellationToken _finishEarly;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Dictionary<string, Tensor>? _best;
    private double _bestScore = double.NegativeInfinity;
    private int _sinceBest;

    public EarlyStopping(nn.Module network, optim.Optimizer optimizer, double plateauFactor, int plateauPatience, int patience,
        TimeSpan? budget, int maxEpochs, string metric, CancellationToken finishEarly = default)
    {
        _finishEarly = finishEarly;
        _network = network;
        _scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode: "max", factor: plateauFactor, patience: plateauPatience);
        _patience = patience;
        _budget = budget;
        _maxEpochs = maxEpochs;
        _metric = metric;
    }

    /// <summary>The K of a metric like <c>NDCG@10</c>.</summary>
    /// <exception cref="ArgumentException">The name has no positive K.</exception>
    public static int CutoffOf(string metric) =>
        int.TryParse(metric.AsSpan(metric.IndexOf('@', StringComparison.Ordinal) + 1), out int k) && k > 0
            ? k
            : throw new ArgumentException($"'{metric}' is not a metric like NDCG@10", nameof(metric));

    /// <summary>Records an epoch (score null: no validation set) and reports it; true when training should stop. A
    /// request to finish early is honoured here, at the end of an epoch, so the epoch in progress is validated and
    /// counts towards the best weights.</summary>
    public bool AfterEpoch(int epoch, double loss, double? score, IProgress<TrainingProgress>? progress)
    {
        if (score is { } s)
        {
            _scheduler.step(s);
            if (s > _bestScore)
            {
                _bestScore = s;
                _sinceBest = 0;
                DisposeBest();
                _best = _network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            }
            else
            {
                _sinceBest++;
            }
        }

        bool outOfTime = _budget is { } budget && _clock.Elapsed >= budget;
        bool asked = _finishEarly.IsCancellationRequested;
        bool stop = _sinceBest >= _patience || outOfTime || asked;
        string why = !stop ? ""
            : asked ? ", finished early on request"
            : outOfTime ? ", time budget spent"
            : $", no improvement for {_sinceBest} epochs";
        progress?.Report(new TrainingProgress((double)epoch / _maxEpochs, epoch,
            FormattableString.Invariant($"epoch {epoch}: loss {loss:0.0000}{(score is { } v ? $", validation {_metric} {v:0.0000} (best {_bestScore:0.0000})" : "")}{why}"),
            loss, score, asked));
        return stop;
    }

    /// <summary>Puts the best weights seen back into the network (nothing happens without validation).</summary>
    public void RestoreBest()
    {
        if (_best is not null)
        {
            _network.load_state_dict(_best);
        }
    }

    public void Dispose() => DisposeBest();

    private void DisposeBest()
    {
        foreach (var t in _best?.Values.AsEnumerable() ?? [])
        {
            t.Dispose();
        }

        _best = null;
    }
}

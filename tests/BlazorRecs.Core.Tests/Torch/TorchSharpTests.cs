using BlazorRecs.Core.Tests.Support;
using BlazorRecs.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Tests.Torch;

[Collection(TorchTrainingCollection.Name)]
public sealed class TorchSharpTests
{
    [Fact]
    public void Native_libtorch_loads_and_reports_its_version()
    {
        // Fails (DllNotFoundException / TypeInitializationException) if libLibTorchSharp.so cannot load, for example
        // when the Debian 12 GLIBCXX_3.4.32 fix in build/TorchSharpOnDebian12.targets did not run.
        Assert.StartsWith("2.10", TorchRuntime.LibTorchVersion, StringComparison.Ordinal);
        Assert.StartsWith("0.107", TorchRuntime.TorchSharpVersion, StringComparison.Ordinal);
        Assert.True(TorchRuntime.Threads >= 1);
    }

    [Fact]
    public void A_small_module_trains_on_cpu_and_its_loss_goes_down()
    {
        torch.manual_seed(7);
        using var scope = torch.NewDisposeScope();
        // y = x @ w_true + noise: a two-layer net must fit it.
        var x = torch.randn(256, 8);
        var wTrue = torch.randn(8, 1);
        var y = x.matmul(wTrue) + 0.01f * torch.randn(256, 1);
        var model = new TinyRegressor();
        var optimizer = optim.Adam(model.parameters(), lr: 0.01);

        float first = 0, last = 0;
        model.train();
        for (int step = 0; step < 60; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(x), y);
            loss.backward();
            optimizer.step();
            float value = loss.item<float>();
            if (step == 0)
            {
                first = value;
            }

            last = value;
        }

        Assert.True(last < first * 0.2f, $"loss went from {first} to {last}");
    }

    private sealed class TinyRegressor : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> _hidden = nn.Linear(8, 16);
        private readonly nn.Module<Tensor, Tensor> _out = nn.Linear(16, 1);

        public TinyRegressor() : base(nameof(TinyRegressor)) => RegisterComponents();

        public override Tensor forward(Tensor input) => _out.forward(nn.functional.relu(_hidden.forward(input)));

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hidden.Dispose();
                _out.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

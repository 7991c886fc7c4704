using BlazorRecs.Core;
using BlazorRecs.Web;

// Settings and static assets are read from beside the app, so it can be started from any working directory
// (run.sh starts it from the repository root, where the relative DataDirectory ./data then lies).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddBlazorRecsCore();
builder.AddBlazorRecsWeb();

var app = builder.Build();
app.UseBlazorRecsWeb();
app.MapBlazorRecsApi();
app.MapBlazorRecsUi();
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;

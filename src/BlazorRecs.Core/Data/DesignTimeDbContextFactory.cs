using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BlazorRecs.Core.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the web host.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<BlazorRecsDbContext>
{
    public BlazorRecsDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<BlazorRecsDbContext>();
        DataRegistration.ConfigureSqlite(options, Path.Combine(Path.GetTempPath(), "blazorrecs-design.db"));
        return new BlazorRecsDbContext(options.Options);
    }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Configuration;

/// <summary>Binds option records from configuration with start-time validation (house style 3).</summary>
public static class OptionsRegistration
{
    /// <summary>Binds <typeparamref name="T"/> from <paramref name="section"/>, validated by its data annotations when
    /// the host starts, so a bad value stops the app with a message that names the full configuration key.</summary>
    public static IHostApplicationBuilder AddValidatedOptions<T>(this IHostApplicationBuilder builder, string section)
        where T : class
    {
        builder.Services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<T>>(new KeyedDataAnnotationsValidator<T>(section));
        return builder;
    }

    /// <summary>Data-annotation validation whose messages start with the configuration key, e.g.
    /// <c>BlazorRecs:TorchThreads</c>, which is what an operator has to edit.</summary>
    private sealed class KeyedDataAnnotationsValidator<T>(string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            return ValidateOptionsResult.Fail(results.Select(r =>
                $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}

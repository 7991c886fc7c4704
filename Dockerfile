# Multi-stage image: the SDK image builds the FAISS shim and publishes the app; the ASP.NET image runs it.
# Not built here (no Docker engine on the development machines); it repeats the steps ./run.sh proves on Debian 12.
# The .NET 10 images are Ubuntu 24.04 based, whose libstdc++ already has GLIBCXX_3.4.32, so the Debian 12
# TorchSharp fix is skipped by the build on its own.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends cmake g++ make libfaiss-dev libopenblas-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/BlazorRecs.Web/BlazorRecs.Web.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg libopenblas0 liblapack3 libgomp1 \
      $(apt-cache show libfaiss1 >/dev/null 2>&1 && echo libfaiss1) fluidsynth fluid-soundfont-gm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
# Data (database, audio, indexes) and models are volumes: models are never baked into the image (their licences
# differ from ours); mount a folder holding musicnn/msd-musicnn-1.onnx and friends at /models.
ENV BlazorRecs__DataDirectory=/data \
    BlazorRecs__ModelsDirectory=/models \
    ASPNETCORE_URLS=http://+:8080 \
    Urls=http://+:8080
VOLUME ["/data", "/models"]
EXPOSE 8080
ENTRYPOINT ["dotnet", "BlazorRecs.Web.dll"]

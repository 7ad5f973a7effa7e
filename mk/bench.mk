# Scale benchmarks of the real operator process (bench/Operator.Scale, results in docs/benchmarks.md).
# Runs `dotnet src/Operator/bin/Release/net10.0/remoteworkload-operator.dll` against the local control plane
# and the test IdP on loopback; each run writes results.json, results.md and operator.log under BENCH_OUT.
SCALE_PROJECT := bench/Operator.Scale
SCALE_DLL := $(SCALE_PROJECT)/bin/Release/net10.0/Operator.Scale.dll
BENCH_OUT ?= $(SCALE_PROJECT)/bin/results
BENCH_ARGS ?=

.PHONY: bench-build
bench-build:
	@$(DOTNET) build $(SCALE_PROJECT) -c Release --nologo -v quiet

.PHONY: bench
bench: bench-build ## Scale benchmarks, Release: N=1000 scale+outage+restart, then N=10000 scale and one outage with kill -9 after its hold (docs/benchmarks.md).
	$(DOTNET) $(SCALE_DLL) --n 1000 --rate 100 --idle-seconds 15 --outage-seconds 20 --scenario all --out $(BENCH_OUT) $(BENCH_ARGS)
	$(DOTNET) $(SCALE_DLL) --n 10000 --rate 100 --idle-seconds 20 --outage-seconds 30 --scenario outage-restart --out $(BENCH_OUT) $(BENCH_ARGS)

.PHONY: bench-outage-large
bench-outage-large: bench-build ## N=10000 scale, outage, and a second outage for the restart (over 10 minutes on 2 cores, emulator-bound; not part of make bench).
	$(DOTNET) $(SCALE_DLL) --n 10000 --rate 100 --idle-seconds 60 --scenario all --out $(BENCH_OUT) $(BENCH_ARGS)

.PHONY: bench-scale-large
bench-scale-large: bench-build ## N=50000 scale only, idle memory (not part of make bench: creating 50,000 at 100/s alone takes over 8 minutes).
	$(DOTNET) $(SCALE_DLL) --n 50000 --rate 100 --idle-seconds 30 --scenario scale --out $(BENCH_OUT) $(BENCH_ARGS)

.PHONY: bench-quick
bench-quick: bench-build ## Scale benchmark, Release, N=1000: scale and outage only (under 2 minutes).
	$(DOTNET) $(SCALE_DLL) --n 1000 --rate 100 --idle-seconds 15 --outage-seconds 20 --scenario outage --out $(BENCH_OUT) $(BENCH_ARGS)

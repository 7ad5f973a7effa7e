# The chaos suite with random seeds. `make test` runs it with fixed seeds so a red run is a regression;
# this target explores: CHAOS_ROUNDS runs, each with a fresh seed (printed when a run fails; replay it with
# RW_CHAOS_SEED=<seed> make test, or TEST_ARGS as below).
CHAOS_ROUNDS ?= 5
OPERATOR_TESTS := tests/Operator.Tests/bin/$(CONFIGURATION)/net10.0/Operator.Tests

.PHONY: chaos
chaos: ## The chaos suite with CHAOS_ROUNDS (5) random seeds; a failure prints the seed to replay with RW_CHAOS_SEED.
	$(DOTNET) build tests/Operator.Tests -c $(CONFIGURATION) --nologo -v quiet
	@for round in $$(seq 1 $(CHAOS_ROUNDS)); do \
	  echo "chaos round $$round of $(CHAOS_ROUNDS)"; \
	  RW_CHAOS_SEED=random $(OPERATOR_TESTS) -class RemoteWorkloadOperator.Tests.Chaos.ChaosTests || exit 1; \
	done

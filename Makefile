# Canteen: two commands do everything on a fresh machine.
#   make run   set up what is missing, then run the whole platform locally under Tilt
#   make test  set up what is missing, then vet, unit, contract and end-to-end tests on every
#              component profile, and `tilt ci`
# The other targets are their steps.

PROFILE  ?= local
PROFILES ?= local postgres-rabbitmq
TILT     ?= $(HOME)/.local/bin/tilt
# Packages that start a platform take turns through the harness's machine-wide lock.
GOTEST   ?= go test -race -count=1 -timeout 30m

.PHONY: run test setup vet test-profiles tilt-ci bench

run: setup
	@echo "Starting Canteen on profile $(PROFILE). Ctrl-C stops everything."
	@echo "  Tilt dashboard:  http://localhost:10350"
	@awk '/appID:/ {id=$$NF} /daprHTTPPort:/ {printf "  %-20s http://localhost:%s/v1.0/invoke/%s/method/...\n", id" via Dapr:", $$NF, id}' dapr.yaml
	CANTEEN_PROFILE=$(PROFILE) $(TILT) up -f tilt/Tiltfile --stream

test: setup vet test-profiles tilt-ci

# Builds or finds the Dapr sidecar binaries and Tilt (cached outside the clone, in ~/.dapr/bin,
# ~/.local/bin and ~/.cache/canteen) and installs the backing servers the profiles need.
setup:
	@bash scripts/setup-dapr.sh
	@bash scripts/setup-tilt.sh
	@for p in $(sort $(PROFILE) $(PROFILES)); do bash scripts/backing.sh install $$p; done

vet:
	go vet ./...

# Every test, once per profile: only the components folder changes between runs.
test-profiles:
	@set -e; for p in $(PROFILES); do \
		echo "== tests on profile $$p"; \
		CANTEEN_PROFILE=$$p $(GOTEST) ./...; \
	done

tilt-ci:
	CANTEEN_PROFILE=$(PROFILE) $(TILT) ci -f tilt/Tiltfile --port 0 # no dashboard: make run may hold 10350

# The benchmarks with their baselines: every scenario, once on each profile, a Markdown report
# per profile on stdout (see BENCHMARKS.md); not part of make test. About 4 minutes a profile.
bench: setup
	@status=0; for p in $(PROFILES); do \
		echo "== bench on profile $$p" >&2; \
		go run ./e2e/loadgen -profile $$p || status=1; \
	done; exit $$status

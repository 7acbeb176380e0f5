# fsnn — set-up, tests, and one target per paper table.
#   make setup                 Debian packages the build and the runs need (installed only when missing)
#   make test                  setup + swift build + swift test
#   make data                  link the offline datasets into ./data
#   make reproduce-table1 …    data + release build + `fsnn run` of the table's experiment file + `fsnn report`
#   make reproduce-figure1     the convergence figure; make reproduce-all: every table and the figure
#   make report                $(RESULTS)/REPORT.md from experiments/ and $(RESULTS), figures drawn by gnuplot
#
# Variables of the reproduce targets:
#   PROFILE=quick              smoke (seconds per row) | quick (minutes per row) | paper (the published settings)
#   JOBS=1                     runs at a time: 1 = one run using every core (2 OpenBLAS threads here);
#                              n >= 2 = n child processes of one OpenBLAS thread each
#   ROWS=a,b                   only these rows of the file (single tables only)
#   RESULTS=results RUNS=runs  where result files and checkpoints go
#   DATA=                      data root (default: $$FSNN_DATA, else ./data)
#   RUN_ARGS=                  further `fsnn run` options, e.g. --resume or --overwrite

DEBIAN_PACKAGES := libopenblas-dev libhdf5-dev zlib1g-dev pkg-config hdf5-tools dataset-fashion-mnist gnuplot-nox
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup test build release report

PROFILE ?= quick
JOBS ?= 1
ROWS ?=
RESULTS ?= results
RUNS ?= runs
DATA ?=
RUN_ARGS ?=
FSNN := .build/release/fsnn

setup:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make setup: installing $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: setup
	swift build

release: setup
	swift build -c release

test: setup
	swift build
	swift test

# make data: link (never copy) the offline datasets into ./data, the default data root:
# ./data/{mnist,nmnist,cifar10} -> $(SHARED_DATA)/* and ./data/fashion-mnist -> Debian's copy.
# Idempotent; an existing ./data/<name> that is not a link (a user's own copy) is left alone.
SHARED_DATA ?= ../shared/data
FASHION_MNIST_DIR ?= /usr/share/datasets/fashion-mnist

.PHONY: data
data:
	@mkdir -p data
	@link() { \
		if [ ! -d "$$1" ]; then echo "make data: $$1 not found; data/$$2 not linked"; \
		elif [ -e "data/$$2" ] && [ ! -L "data/$$2" ]; then echo "make data: keeping data/$$2 (not a link)"; \
		else case "$$1" in /*) target="$$1";; *) target="../$$1";; esac; \
			ln -sfn "$$target" "data/$$2" && echo "make data: data/$$2 -> $$target"; fi; \
	}; \
	for name in mnist nmnist cifar10; do link "$(SHARED_DATA)/$$name" "$$name"; done; \
	link "$(FASHION_MNIST_DIR)" fashion-mnist

# `fsnn report` writes the Markdown, the figure data and gnuplot scripts, and runs gnuplot
# (from gnuplot-nox, installed by setup) to draw $(RESULTS)/figures/*.png.
report: release
	$(FSNN) report $(RESULTS)

# reproduce-<name>: run the experiment file, then regenerate the report even when a run failed
# (failed, interrupted and missing runs are listed in it); the exit status is the run's.
EXPERIMENT_table1 := experiments/table1_mnist_fmnist.yaml
EXPERIMENT_table2 := experiments/table2_nmnist.yaml
EXPERIMENT_table3 := experiments/table3_cifar.yaml
EXPERIMENT_table4 := experiments/table4_memory.yaml
EXPERIMENT_table5 := experiments/table5_sparsity.yaml
EXPERIMENT_figure1 := experiments/figure_convergence.yaml
REPRODUCIBLE := table1 table2 table3 table4 table5 figure1
RUN_FLAGS = --profile $(PROFILE) --jobs $(JOBS) --results $(RESULTS) --runs $(RUNS) \
	$(if $(DATA),--data-dir $(DATA)) $(RUN_ARGS)

.PHONY: $(addprefix reproduce-,$(REPRODUCIBLE)) reproduce-all

$(addprefix reproduce-,$(REPRODUCIBLE)): reproduce-%: data release
	@$(FSNN) run $(EXPERIMENT_$*) $(RUN_FLAGS) $(if $(ROWS),--rows $(ROWS)); status=$$?; \
	$(FSNN) report $(RESULTS) || exit $$?; exit $$status

reproduce-all: data release
	@status=0; \
	for file in $(foreach name,$(REPRODUCIBLE),$(EXPERIMENT_$(name))); do \
		$(FSNN) run $$file $(RUN_FLAGS) || status=$$?; \
	done; \
	$(FSNN) report $(RESULTS) || exit $$?; exit $$status

# fsnn — set-up, tests, and one target per paper table.
#   make setup                 Debian packages the build and the runs need (installed only when missing)
#   make test                  setup + swift build + swift test
#   make test-slurm            setup-slurm + release + Table 1 and a requeued run on a one-node Slurm (tools/slurm)
#   make data                  link the offline datasets into ./data
#   make reproduce-table1 …    data + release build + `fsnn run` of the table's experiment file + `fsnn report`
#   make reproduce-figure1     the convergence figure; make reproduce-all: every table and the figure
#   make report                $(RESULTS)/REPORT.md from experiments/ and $(RESULTS), figures drawn by gnuplot
#   make bench-compare         PyTorch against fsnn on the same real batches (tools/pytorch-baseline/README.md)
#
# Variables of the reproduce targets:
#   PROFILE=quick              smoke (seconds per row) | quick (minutes per row) | paper (the published settings)
#   JOBS=1                     runs at a time: 1 = one run using every core (2 OpenBLAS threads here);
#                              n >= 2 = n child processes of one OpenBLAS thread each
#   SCHEDULER=local            local | slurm: submit one job array per file (docs/cluster.md); its report job
#                              regenerates the report, so the target does not wait for the runs
#   SLURM_ARGS=                further options with SCHEDULER=slurm, e.g. --partition cpu --time 04:00:00
#   ROWS=a,b                   only these rows of the file (single tables only)
#   RESULTS=results RUNS=runs  where result files and checkpoints go
#   DATA=                      data root (default: $$FSNN_DATA, else ./data)
#   RUN_ARGS=                  further `fsnn run` options, e.g. --resume or --overwrite

# python3-h5py (with numpy): tools/export_pytorch.py --list, which the test suite runs.
DEBIAN_PACKAGES := libopenblas-dev libhdf5-dev zlib1g-dev pkg-config hdf5-tools dataset-fashion-mnist gnuplot-nox python3-h5py
SLURM_PACKAGES := slurm-wlm munge
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup setup-slurm test test-slurm build release report

PROFILE ?= quick
JOBS ?= 1
SCHEDULER ?= local
SLURM_ARGS ?=
ROWS ?=
RESULTS ?= results
RUNS ?= runs
DATA ?=
RUN_ARGS ?=
FSNN := .build/release/fsnn

# $(call install-missing,packages): apt-get install those of the Debian packages that are not installed.
install-missing = missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make setup: installing $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

setup:
	@$(call install-missing,$(DEBIAN_PACKAGES))

# Slurm's daemons and clients and munge, for make test-slurm only.
setup-slurm: setup
	@$(call install-missing,$(SLURM_PACKAGES))

build: setup
	swift build

release: setup
	swift build -c release

test: setup
	swift build
	swift test

# Real slurmctld, slurmd and munged on localhost (tools/slurm/local-cluster), stopped again however it ends.
test-slurm: setup-slurm data release
	tools/slurm/test-slurm

# make data: link (never copy) the offline datasets into ./data, the default data root:
# ./data/{mnist,nmnist,cifar10} -> $(SHARED_DATA)/* and ./data/fashion-mnist -> Debian's copy.
# Idempotent; an existing ./data/<name> that is not a link (a user's own copy) is left alone.
# Depends on setup: Debian's dataset-fashion-mnist must be installed before it can be linked.
SHARED_DATA ?= ../shared/data
FASHION_MNIST_DIR ?= /usr/share/datasets/fashion-mnist

.PHONY: data
data: setup
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
RUN_FLAGS = --profile $(PROFILE) --results $(RESULTS) --runs $(RUNS) \
	$(if $(filter slurm,$(SCHEDULER)),--scheduler slurm $(SLURM_ARGS),--jobs $(JOBS)) \
	$(if $(DATA),--data-dir $(DATA)) $(RUN_ARGS)
# With Slurm the array's dependent job writes the report; locally it follows the runs.
REPORT_AFTER_RUN = $(if $(filter slurm,$(SCHEDULER)),,$(FSNN) report $(RESULTS) || exit $$?;)

.PHONY: $(addprefix reproduce-,$(REPRODUCIBLE)) reproduce-all

$(addprefix reproduce-,$(REPRODUCIBLE)): reproduce-%: data release
	@$(FSNN) run $(EXPERIMENT_$*) $(RUN_FLAGS) $(if $(ROWS),--rows $(ROWS)); status=$$?; \
	$(REPORT_AFTER_RUN) exit $$status

reproduce-all: data release
	@status=0; \
	for file in $(foreach name,$(REPRODUCIBLE),$(EXPERIMENT_$(name))); do \
		$(FSNN) run $$file $(RUN_FLAGS) || status=$$?; \
	done; \
	$(REPORT_AFTER_RUN) exit $$status


# make bench-compare: fsnn against PyTorch (tools/pytorch-baseline, or the released code for
# nmnist-ide) and fsnn run alternately on the same real batches; not part of `make test`. The PyTorch side lives in a venv outside the
# repository, made by `make bench-venv` (independent of `make setup`): torch from the CPU wheel index
# when it is reachable, else `pip install $(TORCH)` from PyPI (on Linux x86-64 the CUDA build, about
# 3 GB with its nvidia-* wheels; set TORCH to a CPU wheel pip can find, e.g. TORCH='torch==2.13.0+cpu').
#   VENV=~/.cache/fsnn/bench-venv   where the venv goes     PYTHON=python3   the interpreter it is made from
#   THREADS=2 (or 1, or 2,1: both ratios and the parallel efficiency)  ROUNDS=3
#   CONFIGS=all (or a comma list; see bench_compare.py --help)
#   RELEASED=                  a pkuxmq/IDE-FSNN checkout, the PyTorch side of nmnist-ide (left out of all without it)
#   COMPARE_ARGS=              further options of tools/bench-compare/bench_compare.py
VENV ?= $(HOME)/.cache/fsnn/bench-venv
PYTHON ?= python3
TORCH ?= torch
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
THREADS ?= 2
ROUNDS ?= 3
CONFIGS ?= all
RELEASED ?=
COMPARE_ARGS ?=

.PHONY: bench-venv bench-compare

bench-venv: $(VENV)/.installed

$(VENV)/.installed:
	$(PYTHON) -m venv "$(VENV)"
	@echo "make bench-venv: torch from the CPU wheel index $(TORCH_CPU_INDEX)"
	"$(VENV)/bin/pip" install --retries 1 --timeout 30 --index-url "$(TORCH_CPU_INDEX)" torch numpy \
	|| { echo "make bench-venv: CPU wheel index unreachable; installing $(TORCH) and numpy from PyPI"; \
	     "$(VENV)/bin/pip" install "$(TORCH)" numpy; }
	"$(VENV)/bin/python" -c "import torch, numpy; print('make bench-venv: torch', torch.__version__, 'numpy', numpy.__version__)"
	@touch "$@"

bench-compare: data release bench-venv
	"$(VENV)/bin/python" tools/bench-compare/bench_compare.py --fsnn $(FSNN) --python "$(VENV)/bin/python" \
		--threads $(THREADS) --rounds $(ROUNDS) --configs $(CONFIGS) $(if $(DATA),--data-dir $(DATA)) \
		$(if $(RELEASED),--released $(RELEASED)) $(COMPARE_ARGS)

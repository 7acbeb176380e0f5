# fsnn — set-up, tests, and one target per paper table.
#   make setup                 Debian packages the build and the runs need (installed only when missing)
#   make test                  setup + swift build + swift test
#   make reproduce-table1 …    run a table's experiment file and regenerate results/REPORT.md
#                              (PROFILE=smoke|quick|paper, JOBS=n)
#   make report                results/REPORT.md from experiments/ and results/, figures drawn by gnuplot

DEBIAN_PACKAGES := libopenblas-dev libhdf5-dev zlib1g-dev pkg-config hdf5-tools dataset-fashion-mnist gnuplot-nox
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup test build release report

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
# (from gnuplot-nox, installed by setup) to draw results/figures/*.png.
report: setup
	swift run -c release fsnn report results

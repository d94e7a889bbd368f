# Thin wrapper over CMake presets so the common commands stay short.
.PHONY: all dev release asan test fuzz bench demo format clean
all: release
dev:
	cmake --preset dev && cmake --build --preset dev
release:
	cmake --preset release && cmake --build --preset release
asan:
	cmake --preset asan && cmake --build --preset asan
test:
	bash scripts/test.sh
fuzz:
	bash scripts/fuzz.sh
demo:
	bash scripts/demo.sh
bench: release
	bash scripts/bench.sh
format:
	bash scripts/format.sh
clean:
	rm -rf build

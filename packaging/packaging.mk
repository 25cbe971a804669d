# Installer targets (see docs/building.md). Included from the top-level Makefile, which
# defines BIN (the virtualenv's bin folder) and STAMP (the "lock is installed" marker).
#
#   make package-linux    PyInstaller bundle + .deb into dist/ (runs the bundle's --self-test)
#   make package-bundle   only the PyInstaller one-folder bundle (any OS: dist/pyinstaller/)
#   make package-clean    remove build/ and dist/ packaging outputs
#
# CI passes PACKAGE_ARGS, e.g. "--dev-number 42 --commit $SHA" or "--release-tag v1.2.3".
PACKAGE_ARGS ?=

.PHONY: package-linux package-bundle package-clean

package-linux: $(STAMP)
	$(BIN)/python packaging/build_app.py $(PACKAGE_ARGS)
	dist/pyinstaller/timetracker/timetracker --self-test

package-bundle: $(STAMP)
	$(BIN)/python packaging/build_app.py --no-deb $(PACKAGE_ARGS)

package-clean:
	rm -rf build/src build/icons build/pyinstaller dist/pyinstaller dist/*.deb

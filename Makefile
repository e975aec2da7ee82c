# xt_pktstat: the kernel match, its iptables extension, the drain addon and pktstat-top.
# `make start` and `make test` are the two commands a newcomer needs (see README.md).

KVER_DIR = $(shell ls -d /lib/modules/$$(uname -r)/build 2>/dev/null || ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)
KERNEL_DIR ?= $(KVER_DIR)
PREFIX ?= /usr/local
# systemd reads units from here too; the exporter's unit is installed, never enabled.
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
SYSUSERS_DIR ?= $(PREFIX)/lib/sysusers.d

.PHONY: all deps kernel iptables node start demo vm-shell install uninstall install-unit uninstall-unit \
	lint test test-unit test-vm test-releases bench clean deb

all: kernel iptables node

deps:
	scripts/install-deps.sh

kernel:
	$(MAKE) -C kernel modules KERNEL_DIR=$(KERNEL_DIR)

iptables:
	$(MAKE) -C iptables all

# The native addon (first built by `npm ci`) and the TypeScript of its loader and pktstat-top,
# through `npm run build`, the one build of the JavaScript (it also makes the bin executable).
ADDON := build/Release/pktstat_drain.node
node: $(ADDON)
	npm run build --silent

# Rebuilt only when a source is newer than the build, so `npm ci` then `make` builds it once.
# npm's own node-gyp, through package.json's install script (npx would fetch one).
$(ADDON): binding.gyp $(wildcard addon/src/*.cc addon/src/*.h) kernel/xt_pktstat.h
	npm run install --silent

# The main job: on a kernel that loads modules, install everything and start pktstat-top;
# elsewhere, show the real thing in the test guest.
start: deps all
	@if [ -e /proc/modules ]; then \
		$(MAKE) install && modprobe xt_pktstat && exec $(PREFIX)/bin/pktstat-top; \
	else \
		echo "This kernel cannot load modules: starting the demo guest instead."; \
		exec test/vm/demo; \
	fi

demo: deps all
	test/vm/demo

vm-shell: deps all
	test/vm/shell

install: all
	@if command -v dkms >/dev/null; then \
		scripts/dkms-install.sh; \
	else \
		$(MAKE) -C kernel modules_install KERNEL_DIR=$(KERNEL_DIR) && depmod -a; \
	fi
	$(MAKE) -C iptables install PREFIX=$(PREFIX)
	install -d $(DESTDIR)$(PREFIX)/bin
	ln -sf $(CURDIR)/dist/tui/src/cli.js $(DESTDIR)$(PREFIX)/bin/pktstat-top
	$(MAKE) install-unit

uninstall:
	-v=$$(scripts/version.sh) && dkms remove xt_pktstat/$$v --all && rm -rf /usr/src/xt_pktstat-$$v
	rm -f $(DESTDIR)$(PREFIX)/bin/pktstat-top
	$(MAKE) uninstall-unit
	$(MAKE) -C iptables uninstall PREFIX=$(PREFIX)

# The exporter's systemd unit (contrib/prometheus), pointing at $(PREFIX)/bin/pktstat-top, which
# links into this checkout: the unit sees it read-only (its homes are empty otherwise). The user
# it runs as comes from sysusers.d.
install-unit:
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR) $(DESTDIR)$(SYSUSERS_DIR)
	sed -e 's|/usr/local/bin/|$(PREFIX)/bin/|' -e 's|^ProtectHome=tmpfs$$|&\nBindReadOnlyPaths=$(CURDIR)|' \
		contrib/prometheus/pktstat-exporter.service >$(DESTDIR)$(SYSTEMD_UNIT_DIR)/pktstat-exporter.service
	chmod 644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/pktstat-exporter.service
	install -m 644 contrib/prometheus/pktstat-exporter.sysusers $(DESTDIR)$(SYSUSERS_DIR)/pktstat-exporter.conf
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemd-sysusers pktstat-exporter.conf && systemctl daemon-reload; fi

uninstall-unit:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl disable --now pktstat-exporter 2>/dev/null || true; fi
	rm -f $(DESTDIR)$(SYSTEMD_UNIT_DIR)/pktstat-exporter.service $(DESTDIR)$(SYSUSERS_DIR)/pktstat-exporter.conf

# The Debian packages (debian/): xt-pktstat-dkms, xt-pktstat-common and pktstat-top, left in this
# directory for `apt install ./xt-pktstat-*.deb ./pktstat-top_*.deb`; lintian must report no error
# (the warnings it leaves are explained in debian/README.source). dpkg-buildpackage writes to ..;
# the packages' trees under debian/ go afterwards (make lint would read them).
DEB_VERSION := $(shell scripts/version.sh)
deb:
	scripts/install-deps.sh deb
	dpkg-buildpackage -b -us -uc
	mv ../xt-pktstat-dkms_$(DEB_VERSION)_all.deb ../xt-pktstat-common_$(DEB_VERSION)_*.deb \
		../pktstat-top_$(DEB_VERSION)_*.deb ../xt-pktstat_$(DEB_VERSION)_*.buildinfo \
		../xt-pktstat_$(DEB_VERSION)_*.changes .
	dh_clean debian/pktstat-top.pktstat-exporter.service debian/pktstat-top.pktstat-exporter.sysusers
	lintian --fail-on error --info xt-pktstat_$(DEB_VERSION)_*.changes

# eslint, prettier, checkpatch --strict and sparse; all must be clean.
lint: deps
	scripts/lint.sh

# Lint, unit tests of every part, the real-kernel suite and the packages' in QEMU, and beside
# them the kernel groups on every other Debian release (README: Debian releases); one summary.
test: deps all lint
	scripts/run-tests.sh unit vm releases-kernel

# Every suite on every Debian release, one line per release at the end.
test-releases: deps all
	scripts/run-tests.sh bullseye bookworm trixie forky

test-unit: deps all
	scripts/run-tests.sh unit

test-vm: deps all
	scripts/run-tests.sh vm

bench: deps all
	bench/run-all.sh

clean:
	$(MAKE) -C kernel clean KERNEL_DIR=$(KERNEL_DIR)
	$(MAKE) -C iptables clean
	-$(MAKE) -C test/core clean
	rm -rf dist

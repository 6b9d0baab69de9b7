#!/usr/bin/env bash
# Installs the Debian packages the suite needs, only when something is missing.
# chromium: Playwright browser tests (playwright cannot download browsers here, so we use the system one).
# fonts-noto-*: PDFs render Arabic, Hindi, Chinese and emoji instead of boxes. poppler-utils: pdftotext/pdftoppm.
# caddy: the TLS reverse proxy the stack test (tests/stack) runs in front of gunicorn, as docker-compose.yml does.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v caddy >/dev/null 2>&1 || need+=(caddy)
# Read the font list once: `fc-list | grep -q` under pipefail fails when grep stops reading early.
fonts=$(fc-list 2>/dev/null || true)
grep -qi "NotoSansArabic" <<<"$fonts" || need+=(fonts-noto-core)
grep -qi "Noto Sans CJK" <<<"$fonts" || need+=(fonts-noto-cjk)
grep -qi "Noto Color Emoji" <<<"$fonts" || need+=(fonts-noto-color-emoji)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Missing system packages: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian's caddy package starts a system-wide caddy on port 80; the suite only needs the binary (the stack test runs
# its own on loopback), so stop that service again where systemd runs one.
if [[ " ${need[*]} " == *" caddy "* ]] && command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet caddy; then
  systemctl disable --now caddy >/dev/null 2>&1 || true
fi

#!/usr/bin/env bash
# Opens a report page in headless Chromium as a reader would: every <img> (and every PNG twin) must
# load with a non-zero natural size and none may be blank (≥ 0.2% non-white pixels); saves screenshots.
# Usage: scripts/check-report.sh [artifacts/report/study/index.html] [artifacts/report-check]
set -euo pipefail
page="${1:-artifacts/report/study/index.html}"
out="${2:-artifacts/report-check}"
chromium="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$chromium" ]; then echo "check-report: chromium not found; run scripts/install-deps.sh --report-check (make check-report does)" >&2; exit 2; fi
if [ ! -f "$page" ]; then echo "check-report: $page does not exist; run make reproduce first" >&2; exit 2; fi
dir="$(cd "$(dirname "$page")" && pwd)"
name="$(basename "$page")"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# The checker page loads the report in a same-folder iframe (file:// access allowed by a flag) and
# writes its verdict into its own DOM, which --dump-dom prints once the page is idle.
checker="$(mktemp "$dir/.check-XXXXXX.html")"
trap 'rm -f "$checker"' EXIT
pngs="$(cd "$dir" && for f in *_png.png; do [ -e "$f" ] && printf '<img class="png" src="%s" style="display:none">' "$f"; done)"
cat > "$checker" <<HTML
<!DOCTYPE html><html><body><pre id="result">RESULT PENDING</pre>
<iframe id="f" src="$name" style="width:1280px;height:900px"></iframe>
$pngs
<script>
// Synchronous on purpose: --dump-dom serialises the page right after the load event.
function drawnFraction(img) {
  const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d'); ctx.fillStyle = 'white'; ctx.fillRect(0, 0, c.width, c.height); ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let drawn = 0;
  for (let k = 0; k < d.length; k += 4) if (d[k] + d[k + 1] + d[k + 2] < 600) drawn++;
  return drawn / (c.width * c.height);
}
window.addEventListener('load', () => {
  const problems = [], notes = [];
  const doc = document.getElementById('f').contentDocument;
  const images = doc ? [...doc.images].concat([...document.querySelectorAll('img.png')]) : [];
  if (!doc) problems.push('cannot read the page');
  for (const img of images) {
    const src = img.getAttribute('src');
    if (!img.complete || img.naturalWidth === 0 || img.naturalHeight === 0) { problems.push('not loaded: ' + src); continue; }
    let fraction = 0;
    try { fraction = drawnFraction(img); } catch (e) { problems.push('cannot read the pixels of ' + src + ': ' + e); continue; }
    if (fraction < 0.002) problems.push('blank: ' + src + ' (' + (100 * fraction).toFixed(3) + '% drawn)');
    notes.push(src + ' ' + img.naturalWidth + 'x' + img.naturalHeight + ' ' + (100 * fraction).toFixed(1) + '% drawn');
  }
  if (images.length === 0) problems.push('no images on the page');
  document.getElementById('result').textContent = 'RESULT ' + (problems.length ? 'FAIL ' + problems.join('; ')
    : 'OK ' + images.length + ' images loaded (SVGs on the page and their PNG twins), none blank') + '\n' + notes.join('\n');
});
</script></body></html>
HTML
flags=(--headless=new --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files --virtual-time-budget=30000)
"$chromium" "${flags[@]}" --dump-dom "file://$checker" 2>/dev/null > "$out/check.html"
result="$(sed -n '/<pre id="result">/,/<\/pre>/p' "$out/check.html" | sed 's/<[^>]*>//g')"
echo "$result" > "$out/check.txt"
# Screenshots: the top of the page and the whole page.
"$chromium" "${flags[@]}" --window-size=1280,1600 --screenshot="$out/report-top.png" "file://$dir/$name" 2>/dev/null
height=$(( $(grep -c '<figure' "$dir/$name") * 600 + 3000 ))
"$chromium" "${flags[@]}" --window-size=1280,$height --screenshot="$out/report-full.png" "file://$dir/$name" 2>/dev/null
echo "$result" | head -1
echo "figures drawn as \"not run\" (their stage is not in the pipeline): $(grep -c 'class="notrun"' "$dir/$name" || true)"
echo "screenshots: $out/report-top.png, $out/report-full.png"
case "$result" in "RESULT OK"*) exit 0 ;; *) exit 1 ;; esac

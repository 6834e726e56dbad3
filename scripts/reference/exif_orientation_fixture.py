"""Writes Tests/DatasetsTests/Fixtures/exif-orientation.json: one small JPEG per EXIF orientation
(1-8) and the upright RGB pixels Pillow's ImageOps.exif_transpose makes of it, the reference the
Datasets tests hold BatchLab's orientation handling to. Needs Pillow (make fixtures installs it)."""
import base64
import io
import json
import sys

import PIL
from PIL import Image, ImageOps

OUT = sys.argv[1] if len(sys.argv) > 1 else "Tests/DatasetsTests/Fixtures/exif-orientation.json"

# A 24x16 picture with no symmetry: a horizontal red ramp, a vertical green ramp, a blue corner block.
W, H = 24, 16
picture = Image.new("RGB", (W, H))
picture.putdata([(x * 10, y * 15, 220 if (x < 8 and y < 5) else 30) for y in range(H) for x in range(W)])

cases = []
for orientation in range(1, 9):
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    # 4:4:4 and high quality: decoders then agree to within a level, so only the orientation is tested.
    picture.save(buffer, "JPEG", quality=95, subsampling=0, exif=exif.tobytes())
    jpeg = buffer.getvalue()
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(jpeg))).convert("RGB")
    cases.append({
        "orientation": orientation,
        "jpeg": base64.b64encode(jpeg).decode(),
        "width": upright.width,
        "height": upright.height,
        "rgb": base64.b64encode(upright.tobytes()).decode(),
    })

with open(OUT, "w") as f:
    json.dump({"generator": "scripts/reference/exif_orientation_fixture.py", "pillow": PIL.__version__,
               "cases": cases}, f, indent=1)
    f.write("\n")
print(f"wrote {OUT}: {len(cases)} orientations, Pillow {PIL.__version__}")

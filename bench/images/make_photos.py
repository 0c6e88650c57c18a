"""Makes the image benchmark's 100 photos: crops and scales of the JPEG photographs that
Debian's wallpaper packages ship (apt-get install gnome-backgrounds desktop-base mate-backgrounds
ukui-wallpapers; Debian 12's gnome-backgrounds and desktop-base hold only drawings and SVGs, so
the photographs come from the MATE and UKUI sets), saved as JPEG at 3,000-6,000 px wide
(quality 90, as phones save them).

    python3 bench/images/make_photos.py OUT_DIR [COUNT]
"""
import glob, os, sys
from PIL import Image

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
os.makedirs(out, exist_ok=True)
sources = sorted(
    p for p in glob.glob("/usr/share/backgrounds/**/*", recursive=True)
    + glob.glob("/usr/share/desktop-base/**/*", recursive=True)
    if p.lower().endswith((".jpg", ".jpeg")) and os.path.getsize(p) > 300_000
)
if not sources:
    sys.exit("no photos: apt-get install gnome-backgrounds desktop-base mate-backgrounds ukui-wallpapers")
for i in range(count):
    src = Image.open(sources[i % len(sources)]).convert("RGB")
    width = 3000 + (i * 3001 // max(count - 1, 1)) % 3001  # 3000 .. 6000
    height = width * 3 // 4
    # A different crop of the source each time, scaled to the target size.
    w, h = src.size
    side = min(w, h * 4 // 3)
    left = (i * 97) % max(w - side + 1, 1)
    crop = src.crop((left, 0, left + side, side * 3 // 4))
    crop.resize((width, height), Image.LANCZOS).save(
        os.path.join(out, f"photo-{i:03}.jpg"), quality=90
    )
print(f"{count} photos in {out}")

"""Regenerates static/img/card*.png: python3 tools/make-cards.py (needs Pillow and the Debian fonts-noto-core package).

Generates the 1200x630 Open Graph cards of the campaign theme (typographic, no external fonts at runtime)."""
from PIL import Image, ImageDraw, ImageFont
import os

W, H = 1200, 630
BG, FG, SOFT, DARK = (163, 35, 26), (255, 255, 255), (246, 220, 212), (21, 20, 18)
BOLD = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
REG = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "static", "img")

CARDS = {
    "card.png": ("OFFENER BRIEF", ["KI nicht um", "jeden Preis."],
                 "Über 1.100 Tech-Beschäftigte von Amazon warnen: Rasante KI um jeden Preis schadet Demokratie, Arbeit und Planet."),
    "card-en.png": ("OPEN LETTER", ["Not AI at", "any cost."],
                    "Over 1,100 Amazon tech workers warn: rushing AI at any cost harms democracy, jobs and the planet."),
    "card-fr.png": ("LETTRE OUVERTE", ["Pas d’IA", "à tout prix."],
                    "Plus de 1 100 salariés tech d’Amazon alertent : l’IA à tout prix nuit à la démocratie, à l’emploi et à la planète."),
}

def wrap(draw, text, font, width):
    lines, line = [], ""
    for word in text.split():
        test = (line + " " + word).strip()
        if draw.textlength(test, font=font) <= width:
            line = test
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return lines

for name, (kicker, slogan, sub) in CARDS.items():
    im = Image.new("RGB", (W, H), BG)
    d = ImageDraw.Draw(im)
    x = 80
    # brand mark + kicker
    d.rectangle((x, 78, x + 26, 104), fill=FG)
    k = ImageFont.truetype(BOLD, 26)
    d.text((x + 44, 91), "  ".join(kicker.split(" ")), font=k, fill=FG, anchor="lm")
    # slogan
    big = ImageFont.truetype(BOLD, 118)
    y = 268
    for line in slogan:
        d.text((x, y), line, font=big, fill=FG, anchor="ls")
        y += 130
    # rule + subline
    y -= 130 - 60
    d.rectangle((x, y, x + 120, y + 8), fill=DARK)
    y += 58
    small = ImageFont.truetype(REG, 30)
    for line in wrap(d, sub, small, W - 2 * x):
        d.text((x, y), line, font=small, fill=SOFT, anchor="ls")
        y += 42
    assert y < H - 20, (name, y)
    im = im.quantize(colors=32, method=Image.Quantize.MEDIANCUT)
    path = os.path.join(OUT, name)
    im.save(path, optimize=True)
    print(name, os.path.getsize(path), "bytes")

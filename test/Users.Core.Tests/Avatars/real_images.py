"""Real encoders' images with metadata, and a real decoder's view of them (Pillow), for AvatarMetadataDecodeTests.

  real_images.py make DIR             writes one image per case into DIR, each carrying metadata and a trailing payload
  real_images.py check ORIGINAL CLEAN prints, as JSON, whether CLEAN decodes to the same frames as ORIGINAL and which
                                      metadata a decoder still finds in it
"""
import io
import json
import sys

from PIL import Image, ImageCms

SECRET = b"SECRET-4242"  # in every piece of metadata, so that any of it left over is found
TRAILER = b"PK\x03\x04" + SECRET + b"appended archive"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description>' + SECRET + b"</rdf:Description></rdf:RDF></x:xmpmeta>"


def exif(orientation):
    e = Image.Exif()
    e[0x0112] = orientation          # Orientation: rotate 90 CW to show
    e[0x010F] = SECRET.decode()      # Make
    e[0x8825] = {1: "N", 2: (45.0, 28.0, 7.5), 3: "E", 4: (9.0, 11.0, 2.25)}  # GPS IFD: where the photo was taken
    return e.tobytes()


def picture(mode="RGB", size=(24, 16)):
    im = Image.new(mode, size)
    im.putdata([((x * 10) % 256, (y * 15) % 256, (x * y) % 256, 255)[: len(mode)] for y in range(size[1]) for x in range(size[0])])
    return im


def srgb():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def make(folder):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())
    info.add_text("Author", SECRET.decode(), zip=True)       # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())          # iTXt
    png = io.BytesIO()
    picture("RGBA").save(png, "PNG", pnginfo=info, exif=exif(6))
    write(folder, "exif-text.png", png.getvalue() + TRAILER)

    jpg = io.BytesIO()
    picture().save(jpg, "JPEG", quality=90, exif=exif(6), comment=SECRET, icc_profile=srgb(), progressive=True)
    data = jpg.getvalue()
    # XMP (APP1) and IPTC (APP13) as editors write them, right after SOI.
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + XMP
    iptc = b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00\x00\x00\x00\x10" + SECRET + b"\x00" * 5
    segments = b"".join(b"\xff" + bytes([m]) + (len(p) + 2).to_bytes(2, "big") + p for m, p in ((0xE1, xmp), (0xED, iptc)))
    write(folder, "exif-xmp-iptc-icc-comment.jpg", data[:2] + segments + data[2:] + TRAILER)

    frames = [picture("RGB", (20, 12)).quantize(16), picture("RGB", (20, 12)).rotate(180).quantize(16)]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], loop=0, duration=120, comment=SECRET)
    data = gif.getvalue()
    # An XMP application extension after the screen descriptor and global colour table, as editors write it.
    header = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    app = b"\x21\xff\x0bXMP DataXMP" + b"".join(bytes([len(c)]) + c for c in (XMP[i:i + 255] for i in range(0, len(XMP), 255))) + b"\x00"
    write(folder, "animated-comment-xmp.gif", data[:header] + app + data[header:] + TRAILER)

    for name, kwargs in (("lossless", {"lossless": True}), ("lossy", {"quality": 80})):
        webp = io.BytesIO()
        picture("RGBA").save(webp, "WEBP", exif=exif(6), xmp=XMP, icc_profile=srgb(), **kwargs)
        write(folder, f"exif-xmp-icc-{name}.webp", webp.getvalue() + TRAILER)
    webp = io.BytesIO()
    frames = [picture("RGBA"), picture("RGBA").rotate(180)]
    frames[0].save(webp, "WEBP", save_all=True, append_images=frames[1:], duration=100, loop=0, lossless=True, exif=exif(6), xmp=XMP)
    write(folder, "animated-exif-xmp.webp", webp.getvalue() + TRAILER)


def write(folder, name, data):
    with open(f"{folder}/{name}", "wb") as f:
        f.write(data)


def frames(path):
    with Image.open(path) as im:
        im.load()
        result = []
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            result.append(im.convert("RGBA").tobytes())
        return im.format, im.size, result, dict(im.info), im.getexif()


def check(original, clean):
    fmt, size, original_frames, _, _ = frames(original)
    clean_fmt, clean_size, clean_frames, info, clean_exif = frames(clean)
    with open(clean, "rb") as f:
        raw = f.read()
    metadata = sorted(k for k in info if k in ("exif", "comment", "xmp", "XML:com.adobe.xmp", "Comment", "Author", "photoshop", "extension", "mp"))
    print(json.dumps({
        "format": clean_fmt,
        "same_pixels": fmt == clean_fmt and size == clean_size and original_frames == clean_frames,
        "frames": len(clean_frames),
        "metadata": metadata,
        "exif_tags": sorted(int(t) for t in clean_exif.keys()),
        "orientation": clean_exif.get(0x0112),
        "icc_profile": bool(info.get("icc_profile")),
        "loop": info.get("loop"),
        "secret_left": SECRET in raw,
        "trailer_left": raw.endswith(TRAILER),
    }))


if __name__ == "__main__":
    {"make": lambda: make(sys.argv[2]), "check": lambda: check(sys.argv[2], sys.argv[3])}[sys.argv[1]]()

// Which libjpeg-turbo warnings leave a photo's pixels intact? Corrupts JPEGs in the ways photos are
// damaged (bytes changed inside the entropy-coded data, junk before EOI or after it, cut-off files),
// decodes each with TurboJPEG as BatchLab does, and prints one TSV row per damaged file: the
// corruption, the first warning (TJFLAG_STOPONWARNING), the last one, and the mean/max absolute
// pixel difference to the clean decode. The evidence behind Datasets' CorruptDataPolicy.
//   cc scripts/experiments/jpeg-warnings.c -lturbojpeg -o /tmp/jpeg-warnings
//   /tmp/jpeg-warnings SOURCE.jpg... > rows.tsv && python3 scripts/experiments/jpeg-warnings-table.py rows.tsv
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

static unsigned char *readFile(const char *path, unsigned long *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END); *size = (unsigned long)ftell(f); fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*size);
    if (fread(b, 1, *size, f) != *size) { fclose(f); free(b); return NULL; }
    fclose(f);
    return b;
}

/// Decodes with a fresh handle (so no state carries over); returns pixels or NULL, the status and text.
static unsigned char *decode(const unsigned char *jpg, unsigned long n, int flags, int *w, int *h,
                             int *status, int *code, char *message) {
    tjhandle d = tjInitDecompress();
    int sub, cs;
    *status = tjDecompressHeader3(d, jpg, n, w, h, &sub, &cs);
    unsigned char *out = NULL;
    if ((*status == 0 || tjGetErrorCode(d) == TJERR_WARNING) && *w > 0 && *h > 0) {
        out = calloc((size_t)*w * *h * 3, 1);
        *status = tjDecompress2(d, jpg, n, out, *w, 0, *h, TJPF_RGB, flags);
    }
    *code = *status == 0 ? -1 : tjGetErrorCode(d);
    strncpy(message, *status == 0 ? "" : tjGetErrorStr2(d), 199); message[199] = 0;
    tjDestroy(d);
    return out;
}

/// Offset just after the first SOS segment's header (where entropy-coded data starts), or 0.
static unsigned long scanStart(const unsigned char *b, unsigned long n) {
    for (unsigned long i = 2; i + 3 < n; i++)
        if (b[i] == 0xFF && b[i + 1] == 0xDA) return i + 2 + (b[i + 2] << 8 | b[i + 3]);
    return 0;
}

/// The marker segment holding `offset` ("at-DQT", "at-DHT", "at-SOF", "at-SOS-data", ...).
static const char *segmentAt(const unsigned char *b, unsigned long n, unsigned long offset) {
    unsigned long i = 2;
    while (i + 4 <= n && b[i] == 0xFF) {
        unsigned char m = b[i + 1];
        unsigned long end = i + 2 + (unsigned long)(b[i + 2] << 8 | b[i + 3]);
        if (m == 0xDA) return offset < end ? "at-SOS-header" : "at-entropy-data";
        if (offset < end) {
            if (m == 0xDB) return "at-DQT";
            if (m == 0xC4) return "at-DHT";
            if (m >= 0xC0 && m <= 0xC2) return "at-SOF";
            if (m >= 0xE0 && m <= 0xEF) return "at-APPn";
            return "at-other-segment";
        }
        i = end;
    }
    return "at-unknown";
}

static void row(const char *source, const char *variant, const char *kind, int param,
                const unsigned char *clean, int cw, int ch, const unsigned char *jpg, unsigned long n) {
    int w = 0, h = 0, status, code, w2 = 0, h2 = 0, status2, code2;
    char last[200], first[200];
    unsigned char *px = decode(jpg, n, TJFLAG_ACCURATEDCT, &w, &h, &status, &code, last);
    unsigned char *px2 = decode(jpg, n, TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING, &w2, &h2, &status2, &code2, first);
    double mean = -1; int maxd = -1;
    if (px && code != TJERR_FATAL && w == cw && h == ch) {
        long total = 0; maxd = 0;
        for (long i = 0; i < (long)w * h * 3; i++) {
            int d = abs((int)px[i] - (int)clean[i]);
            total += d; if (d > maxd) maxd = d;
        }
        mean = (double)total / ((double)w * h * 3);
    }
    const char *outcome = status == 0 ? "ok" : code == TJERR_WARNING ? "warning" : "fatal";
    printf("%s\t%s\t%s\t%d\t%s\t%s\t%s\t%.3f\t%d\n", source, variant, kind, param, outcome,
           status2 == 0 ? "" : first, last, mean, maxd);
    free(px); free(px2);
}

static void damage(const char *source, const char *variant, const unsigned char *jpg, unsigned long n) {
    int cw, ch, st, code; char msg[200];
    unsigned char *clean = decode(jpg, n, TJFLAG_ACCURATEDCT, &cw, &ch, &st, &code, msg);
    if (!clean || st != 0) { fprintf(stderr, "%s %s: clean decode failed: %s\n", source, variant, msg); return; }
    unsigned long s0 = scanStart(jpg, n);
    unsigned char *b = malloc(n + 5000);
    for (int trial = 0; trial < 60; trial++) {
        // Bytes changed inside the entropy-coded data (1, 4 or 16 of them, anywhere in the scans).
        int k = trial % 3 == 0 ? 1 : trial % 3 == 1 ? 4 : 16;
        memcpy(b, jpg, n);
        for (int j = 0; j < k; j++) b[s0 + (unsigned long)rand() % (n - 2 - s0)] = (unsigned char)rand();
        row(source, variant, "entropy-bytes", k, clean, cw, ch, b, n);
    }
    for (int trial = 0; trial < 30; trial++) {
        // The files: 3 bytes changed at offsets 300-600 of the file, wherever that falls
        // (tables or data); the row names the segment hit first.
        memcpy(b, jpg, n);
        unsigned long at[3];
        for (int j = 0; j < 3; j++) { at[j] = 300 + (unsigned long)rand() % 300; b[at[j]] = (unsigned char)rand(); }
        unsigned long first = at[0] < at[1] ? (at[0] < at[2] ? at[0] : at[2]) : (at[1] < at[2] ? at[1] : at[2]);
        row(source, variant, segmentAt(jpg, n, first), 3, clean, cw, ch, b, n);
    }
    for (int trial = 0; trial < 10; trial++) {
        // Junk (no 0xFF) inserted just before the final EOI: the harmless case, common in PetImages.
        int m = 1 + rand() % 3000;
        memcpy(b, jpg, n - 2);
        for (int j = 0; j < m; j++) b[n - 2 + j] = (unsigned char)(rand() % 255);
        b[n - 2 + m] = 0xFF; b[n - 1 + m] = 0xD9;
        row(source, variant, "junk-before-eoi", m, clean, cw, ch, b, n + m);
        // Junk after EOI (a padded download): no warning expected.
        memcpy(b, jpg, n);
        for (int j = 0; j < m; j++) b[n + j] = (unsigned char)rand();
        row(source, variant, "junk-after-eoi", m, clean, cw, ch, b, n + m);
        // Cut off inside the scan data.
        unsigned long cut = s0 + (unsigned long)rand() % (n - s0);
        row(source, variant, "truncated", (int)(100 * cut / n), clean, cw, ch, jpg, cut);
    }
    free(b); free(clean);
}

int main(int argc, char **argv) {
    srand(20261202);
    printf("source\tvariant\tkind\tparam\toutcome\tfirst_warning\tlast_message\tmean_abs_diff\tmax_abs_diff\n");
    for (int a = 1; a < argc; a++) {
        unsigned long n; unsigned char *orig = readFile(argv[a], &n);
        if (!orig) { fprintf(stderr, "cannot read %s\n", argv[a]); return 1; }
        const char *name = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
        damage(name, "original", orig, n);
        // Re-encodings at about PetImages' size (~500 px wide): baseline 4:2:0 q90, 4:4:4 q75, progressive.
        tjhandle d = tjInitDecompress(); int w, h, sub, cs;
        tjDecompressHeader3(d, orig, n, &w, &h, &sub, &cs);
        tjscalingfactor f = {1, 1};
        while (TJSCALED(w, f) > 640 && f.denom < 8) f.denom *= 2;
        int sw = TJSCALED(w, f), sh = TJSCALED(h, f);
        unsigned char *rgb = malloc((size_t)sw * sh * 3);
        tjDecompress2(d, orig, n, rgb, sw, 0, sh, TJPF_RGB, TJFLAG_ACCURATEDCT);
        tjDestroy(d);
        struct { const char *name; int sub, q, flags; } v[] = {
            {"baseline-420-q90", TJSAMP_420, 90, 0}, {"baseline-444-q75", TJSAMP_444, 75, 0},
            {"progressive-420-q90", TJSAMP_420, 90, TJFLAG_PROGRESSIVE}, {"grey-q85", TJSAMP_GRAY, 85, 0}};
        for (int i = 0; i < 4; i++) {
            tjhandle c = tjInitCompress(); unsigned char *jpg = NULL; unsigned long size = 0;
            tjCompress2(c, rgb, sw, 0, sh, TJPF_RGB, &jpg, &size, v[i].sub, v[i].q, v[i].flags);
            damage(name, v[i].name, jpg, size);
            tjFree(jpg); tjDestroy(c);
        }
        free(rgb); free(orig);
    }
    return 0;
}

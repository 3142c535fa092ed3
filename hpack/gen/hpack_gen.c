/*
 * Writes hpack/tables.c: the Huffman tables of RFC 7541 Appendix B in the
 * forms the coder uses, and the name index of the static table (Appendix A).
 *
 *   cc -std=c11 -I. -o build/hpack_gen hpack/gen/hpack_gen.c
 *   build/hpack_gen > hpack/tables.c
 *
 * tests/hpack/test_tables.c compiles this file too and checks that what it
 * writes is byte for byte the committed hpack/tables.c.
 *
 * The decoding tables. A decoder holds the unread bits of the string
 * left-aligned in a 64-bit word and looks up the top ROOT_BITS (12) of them
 * in the root table. Every code of 12 bits or fewer is found there in one
 * step, and when the bits after it hold a second whole code, that one too:
 * an entry gives up to two symbols, how many bits they took together and how
 * many the first one took (the decoder needs that at the end of a string,
 * where the bits run out). The long codes (13 to 30 bits, rare in headers)
 * all start with twelve bits that are a prefix of several codes: their root
 * entry is a link to a subtable indexed by the next bits, and so on, each
 * level resolving a few more bits (8, then 4 at a time). EOS is the leaf
 * that gives no symbol, so that the decoder can refuse it (section 5.2).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpack/huffman.h"
#include "hpack/static_table.h"

/* Appendix B: the code of each symbol, aligned to the least significant
 * bit, and its length in bits. Symbol 256 is EOS. */
static const struct {
    uint32_t code;
    unsigned len;
} huffman_code[257] = {
    {0x1ff8u, 13},       /*   0 */
    {0x7fffd8u, 23},     /*   1 */
    {0xfffffe2u, 28},    /*   2 */
    {0xfffffe3u, 28},    /*   3 */
    {0xfffffe4u, 28},    /*   4 */
    {0xfffffe5u, 28},    /*   5 */
    {0xfffffe6u, 28},    /*   6 */
    {0xfffffe7u, 28},    /*   7 */
    {0xfffffe8u, 28},    /*   8 */
    {0xffffeau, 24},     /*   9 */
    {0x3ffffffcu, 30},   /*  10 */
    {0xfffffe9u, 28},    /*  11 */
    {0xfffffeau, 28},    /*  12 */
    {0x3ffffffdu, 30},   /*  13 */
    {0xfffffebu, 28},    /*  14 */
    {0xfffffecu, 28},    /*  15 */
    {0xfffffedu, 28},    /*  16 */
    {0xfffffeeu, 28},    /*  17 */
    {0xfffffefu, 28},    /*  18 */
    {0xffffff0u, 28},    /*  19 */
    {0xffffff1u, 28},    /*  20 */
    {0xffffff2u, 28},    /*  21 */
    {0x3ffffffeu, 30},   /*  22 */
    {0xffffff3u, 28},    /*  23 */
    {0xffffff4u, 28},    /*  24 */
    {0xffffff5u, 28},    /*  25 */
    {0xffffff6u, 28},    /*  26 */
    {0xffffff7u, 28},    /*  27 */
    {0xffffff8u, 28},    /*  28 */
    {0xffffff9u, 28},    /*  29 */
    {0xffffffau, 28},    /*  30 */
    {0xffffffbu, 28},    /*  31 */
    {0x14u, 6},          /*  32 ' ' */
    {0x3f8u, 10},        /*  33 '!' */
    {0x3f9u, 10},        /*  34 '"' */
    {0xffau, 12},        /*  35 '#' */
    {0x1ff9u, 13},       /*  36 '$' */
    {0x15u, 6},          /*  37 '%' */
    {0xf8u, 8},          /*  38 '&' */
    {0x7fau, 11},        /*  39 '\'' */
    {0x3fau, 10},        /*  40 '(' */
    {0x3fbu, 10},        /*  41 ')' */
    {0xf9u, 8},          /*  42 '*' */
    {0x7fbu, 11},        /*  43 '+' */
    {0xfau, 8},          /*  44 ',' */
    {0x16u, 6},          /*  45 '-' */
    {0x17u, 6},          /*  46 '.' */
    {0x18u, 6},          /*  47 '/' */
    {0x0u, 5},           /*  48 '0' */
    {0x1u, 5},           /*  49 '1' */
    {0x2u, 5},           /*  50 '2' */
    {0x19u, 6},          /*  51 '3' */
    {0x1au, 6},          /*  52 '4' */
    {0x1bu, 6},          /*  53 '5' */
    {0x1cu, 6},          /*  54 '6' */
    {0x1du, 6},          /*  55 '7' */
    {0x1eu, 6},          /*  56 '8' */
    {0x1fu, 6},          /*  57 '9' */
    {0x5cu, 7},          /*  58 ':' */
    {0xfbu, 8},          /*  59 ';' */
    {0x7ffcu, 15},       /*  60 '<' */
    {0x20u, 6},          /*  61 '=' */
    {0xffbu, 12},        /*  62 '>' */
    {0x3fcu, 10},        /*  63 '?' */
    {0x1ffau, 13},       /*  64 '@' */
    {0x21u, 6},          /*  65 'A' */
    {0x5du, 7},          /*  66 'B' */
    {0x5eu, 7},          /*  67 'C' */
    {0x5fu, 7},          /*  68 'D' */
    {0x60u, 7},          /*  69 'E' */
    {0x61u, 7},          /*  70 'F' */
    {0x62u, 7},          /*  71 'G' */
    {0x63u, 7},          /*  72 'H' */
    {0x64u, 7},          /*  73 'I' */
    {0x65u, 7},          /*  74 'J' */
    {0x66u, 7},          /*  75 'K' */
    {0x67u, 7},          /*  76 'L' */
    {0x68u, 7},          /*  77 'M' */
    {0x69u, 7},          /*  78 'N' */
    {0x6au, 7},          /*  79 'O' */
    {0x6bu, 7},          /*  80 'P' */
    {0x6cu, 7},          /*  81 'Q' */
    {0x6du, 7},          /*  82 'R' */
    {0x6eu, 7},          /*  83 'S' */
    {0x6fu, 7},          /*  84 'T' */
    {0x70u, 7},          /*  85 'U' */
    {0x71u, 7},          /*  86 'V' */
    {0x72u, 7},          /*  87 'W' */
    {0xfcu, 8},          /*  88 'X' */
    {0x73u, 7},          /*  89 'Y' */
    {0xfdu, 8},          /*  90 'Z' */
    {0x1ffbu, 13},       /*  91 '[' */
    {0x7fff0u, 19},      /*  92 '\\' */
    {0x1ffcu, 13},       /*  93 ']' */
    {0x3ffcu, 14},       /*  94 '^' */
    {0x22u, 6},          /*  95 '_' */
    {0x7ffdu, 15},       /*  96 '`' */
    {0x3u, 5},           /*  97 'a' */
    {0x23u, 6},          /*  98 'b' */
    {0x4u, 5},           /*  99 'c' */
    {0x24u, 6},          /* 100 'd' */
    {0x5u, 5},           /* 101 'e' */
    {0x25u, 6},          /* 102 'f' */
    {0x26u, 6},          /* 103 'g' */
    {0x27u, 6},          /* 104 'h' */
    {0x6u, 5},           /* 105 'i' */
    {0x74u, 7},          /* 106 'j' */
    {0x75u, 7},          /* 107 'k' */
    {0x28u, 6},          /* 108 'l' */
    {0x29u, 6},          /* 109 'm' */
    {0x2au, 6},          /* 110 'n' */
    {0x7u, 5},           /* 111 'o' */
    {0x2bu, 6},          /* 112 'p' */
    {0x76u, 7},          /* 113 'q' */
    {0x2cu, 6},          /* 114 'r' */
    {0x8u, 5},           /* 115 's' */
    {0x9u, 5},           /* 116 't' */
    {0x2du, 6},          /* 117 'u' */
    {0x77u, 7},          /* 118 'v' */
    {0x78u, 7},          /* 119 'w' */
    {0x79u, 7},          /* 120 'x' */
    {0x7au, 7},          /* 121 'y' */
    {0x7bu, 7},          /* 122 'z' */
    {0x7ffeu, 15},       /* 123 '{' */
    {0x7fcu, 11},        /* 124 '|' */
    {0x3ffdu, 14},       /* 125 '}' */
    {0x1ffdu, 13},       /* 126 '~' */
    {0xffffffcu, 28},    /* 127 */
    {0xfffe6u, 20},      /* 128 */
    {0x3fffd2u, 22},     /* 129 */
    {0xfffe7u, 20},      /* 130 */
    {0xfffe8u, 20},      /* 131 */
    {0x3fffd3u, 22},     /* 132 */
    {0x3fffd4u, 22},     /* 133 */
    {0x3fffd5u, 22},     /* 134 */
    {0x7fffd9u, 23},     /* 135 */
    {0x3fffd6u, 22},     /* 136 */
    {0x7fffdau, 23},     /* 137 */
    {0x7fffdbu, 23},     /* 138 */
    {0x7fffdcu, 23},     /* 139 */
    {0x7fffddu, 23},     /* 140 */
    {0x7fffdeu, 23},     /* 141 */
    {0xffffebu, 24},     /* 142 */
    {0x7fffdfu, 23},     /* 143 */
    {0xffffecu, 24},     /* 144 */
    {0xffffedu, 24},     /* 145 */
    {0x3fffd7u, 22},     /* 146 */
    {0x7fffe0u, 23},     /* 147 */
    {0xffffeeu, 24},     /* 148 */
    {0x7fffe1u, 23},     /* 149 */
    {0x7fffe2u, 23},     /* 150 */
    {0x7fffe3u, 23},     /* 151 */
    {0x7fffe4u, 23},     /* 152 */
    {0x1fffdcu, 21},     /* 153 */
    {0x3fffd8u, 22},     /* 154 */
    {0x7fffe5u, 23},     /* 155 */
    {0x3fffd9u, 22},     /* 156 */
    {0x7fffe6u, 23},     /* 157 */
    {0x7fffe7u, 23},     /* 158 */
    {0xffffefu, 24},     /* 159 */
    {0x3fffdau, 22},     /* 160 */
    {0x1fffddu, 21},     /* 161 */
    {0xfffe9u, 20},      /* 162 */
    {0x3fffdbu, 22},     /* 163 */
    {0x3fffdcu, 22},     /* 164 */
    {0x7fffe8u, 23},     /* 165 */
    {0x7fffe9u, 23},     /* 166 */
    {0x1fffdeu, 21},     /* 167 */
    {0x7fffeau, 23},     /* 168 */
    {0x3fffddu, 22},     /* 169 */
    {0x3fffdeu, 22},     /* 170 */
    {0xfffff0u, 24},     /* 171 */
    {0x1fffdfu, 21},     /* 172 */
    {0x3fffdfu, 22},     /* 173 */
    {0x7fffebu, 23},     /* 174 */
    {0x7fffecu, 23},     /* 175 */
    {0x1fffe0u, 21},     /* 176 */
    {0x1fffe1u, 21},     /* 177 */
    {0x3fffe0u, 22},     /* 178 */
    {0x1fffe2u, 21},     /* 179 */
    {0x7fffedu, 23},     /* 180 */
    {0x3fffe1u, 22},     /* 181 */
    {0x7fffeeu, 23},     /* 182 */
    {0x7fffefu, 23},     /* 183 */
    {0xfffeau, 20},      /* 184 */
    {0x3fffe2u, 22},     /* 185 */
    {0x3fffe3u, 22},     /* 186 */
    {0x3fffe4u, 22},     /* 187 */
    {0x7ffff0u, 23},     /* 188 */
    {0x3fffe5u, 22},     /* 189 */
    {0x3fffe6u, 22},     /* 190 */
    {0x7ffff1u, 23},     /* 191 */
    {0x3ffffe0u, 26},    /* 192 */
    {0x3ffffe1u, 26},    /* 193 */
    {0xfffebu, 20},      /* 194 */
    {0x7fff1u, 19},      /* 195 */
    {0x3fffe7u, 22},     /* 196 */
    {0x7ffff2u, 23},     /* 197 */
    {0x3fffe8u, 22},     /* 198 */
    {0x1ffffecu, 25},    /* 199 */
    {0x3ffffe2u, 26},    /* 200 */
    {0x3ffffe3u, 26},    /* 201 */
    {0x3ffffe4u, 26},    /* 202 */
    {0x7ffffdeu, 27},    /* 203 */
    {0x7ffffdfu, 27},    /* 204 */
    {0x3ffffe5u, 26},    /* 205 */
    {0xfffff1u, 24},     /* 206 */
    {0x1ffffedu, 25},    /* 207 */
    {0x7fff2u, 19},      /* 208 */
    {0x1fffe3u, 21},     /* 209 */
    {0x3ffffe6u, 26},    /* 210 */
    {0x7ffffe0u, 27},    /* 211 */
    {0x7ffffe1u, 27},    /* 212 */
    {0x3ffffe7u, 26},    /* 213 */
    {0x7ffffe2u, 27},    /* 214 */
    {0xfffff2u, 24},     /* 215 */
    {0x1fffe4u, 21},     /* 216 */
    {0x1fffe5u, 21},     /* 217 */
    {0x3ffffe8u, 26},    /* 218 */
    {0x3ffffe9u, 26},    /* 219 */
    {0xffffffdu, 28},    /* 220 */
    {0x7ffffe3u, 27},    /* 221 */
    {0x7ffffe4u, 27},    /* 222 */
    {0x7ffffe5u, 27},    /* 223 */
    {0xfffecu, 20},      /* 224 */
    {0xfffff3u, 24},     /* 225 */
    {0xfffedu, 20},      /* 226 */
    {0x1fffe6u, 21},     /* 227 */
    {0x3fffe9u, 22},     /* 228 */
    {0x1fffe7u, 21},     /* 229 */
    {0x1fffe8u, 21},     /* 230 */
    {0x7ffff3u, 23},     /* 231 */
    {0x3fffeau, 22},     /* 232 */
    {0x3fffebu, 22},     /* 233 */
    {0x1ffffeeu, 25},    /* 234 */
    {0x1ffffefu, 25},    /* 235 */
    {0xfffff4u, 24},     /* 236 */
    {0xfffff5u, 24},     /* 237 */
    {0x3ffffeau, 26},    /* 238 */
    {0x7ffff4u, 23},     /* 239 */
    {0x3ffffebu, 26},    /* 240 */
    {0x7ffffe6u, 27},    /* 241 */
    {0x3ffffecu, 26},    /* 242 */
    {0x3ffffedu, 26},    /* 243 */
    {0x7ffffe7u, 27},    /* 244 */
    {0x7ffffe8u, 27},    /* 245 */
    {0x7ffffe9u, 27},    /* 246 */
    {0x7ffffeau, 27},    /* 247 */
    {0x7ffffebu, 27},    /* 248 */
    {0xffffffeu, 28},    /* 249 */
    {0x7ffffecu, 27},    /* 250 */
    {0x7ffffedu, 27},    /* 251 */
    {0x7ffffeeu, 27},    /* 252 */
    {0x7ffffefu, 27},    /* 253 */
    {0x7fffff0u, 27},    /* 254 */
    {0x3ffffeeu, 26},    /* 255 */
    {0x3fffffffu, 30},   /* 256 EOS */
};

/* ---- decoding tables ------------------------------------------------------ */

#define MAX_SUB 4096

static uint32_t root[1u << AX__HUFF_ROOT_BITS];
static uint32_t sub[MAX_SUB];
static size_t sub_len;

/* The symbol whose code is a prefix of the `nbits`-bit window `bits`, or -1
 * when the window is itself a proper prefix of longer codes. */
static int match(uint32_t bits, unsigned nbits, unsigned *len)
{
    for (int s = 0; s < 257; s++) {
        unsigned l = huffman_code[s].len;
        if (l <= nbits && (bits >> (nbits - l)) == huffman_code[s].code) {
            *len = l;
            return s;
        }
    }
    return -1;
}

/* The longest code starting with the `plen`-bit prefix `prefix`. */
static unsigned longest_under(uint32_t prefix, unsigned plen)
{
    unsigned longest = 0;
    for (int s = 0; s < 257; s++) {
        unsigned l = huffman_code[s].len;
        if (l > plen && (huffman_code[s].code >> (l - plen)) == prefix && l > longest)
            longest = l;
    }
    return longest;
}

static uint32_t leaf(int sym, unsigned bits)
{
    uint32_t e = (uint32_t)bits | ((uint32_t)bits << AX__HUFF_FIRST_SHIFT);
    if (sym == 256)
        return e; /* no symbol: EOS */
    return e | ((uint32_t)sym << AX__HUFF_SYM_SHIFT) | (1u << AX__HUFF_COUNT_SHIFT);
}

/* Builds the subtable for windows starting with `prefix` (plen bits) and
 * returns the link entry that leads to it. */
static uint32_t build_sub(uint32_t prefix, unsigned plen)
{
    unsigned rest = longest_under(prefix, plen) - plen;
    unsigned k = rest < (plen == AX__HUFF_ROOT_BITS ? 8u : 4u)
                     ? rest : (plen == AX__HUFF_ROOT_BITS ? 8u : 4u);
    size_t at = sub_len;
    sub_len += (size_t)1 << k;
    if (sub_len > MAX_SUB || at > 0xffff) {
        fprintf(stderr, "hpack_gen: subtables overflow\n");
        exit(1);
    }
    for (uint32_t j = 0; j < (1u << k); j++) {
        uint32_t window = (prefix << k) | j;
        unsigned len;
        int s = match(window, plen + k, &len);
        sub[at + j] = s >= 0 ? leaf(s, len - plen) : build_sub(window, plen + k);
    }
    return AX__HUFF_LINK | (uint32_t)k | ((uint32_t)at << AX__HUFF_SYM_SHIFT);
}

static void build_root(void)
{
    const unsigned n = AX__HUFF_ROOT_BITS;
    for (uint32_t w = 0; w < (1u << n); w++) {
        unsigned l1, l2;
        int s1 = match(w, n, &l1);
        if (s1 < 0) {
            root[w] = build_sub(w, n);
            continue;
        }
        uint32_t e = leaf(s1, l1);
        unsigned left = n - l1;
        int s2 = left > 0 ? match(w & ((1u << left) - 1), left, &l2) : -1;
        if (s2 >= 0 && s2 != 256) {
            e = (e & ~63u & ~(3u << AX__HUFF_COUNT_SHIFT)) | (uint32_t)(l1 + l2) |
                (2u << AX__HUFF_COUNT_SHIFT) | ((uint32_t)s2 << (AX__HUFF_SYM_SHIFT + 8));
        }
        root[w] = e;
    }
}

/* ---- the static table's name index ------------------------------------------ */

static const struct {
    const char *name;
    const char *value;
} static_table[AX__HPACK_STATIC_COUNT + 1] = {
    {"", ""},
#define ROW(i, n, v) {n, v},
    AX__HPACK_STATIC_TABLE(ROW)
#undef ROW
};

static uint8_t slots[AX__HPACK_STATIC_SLOTS];
static uint32_t mult;

/* Finds a multiplier that sends each distinct name's (length, first
 * octet, last octet) to its own slot, the slot holding the index of the
 * name's first entry: a lookup is then one multiplication, one load and
 * one comparison. Candidates come from a fixed sequence, so the output is
 * always the same. */
static void build_static_index(void)
{
    uint64_t seed = 0x243f6a8885a308d3u;
    for (int attempt = 0; attempt < 1000000; attempt++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        mult = (uint32_t)(seed >> 32) | 1u;
        memset(slots, 0, sizeof(slots));
        bool ok = true;
        for (unsigned i = 1; i <= AX__HPACK_STATIC_COUNT && ok; i++) {
            const char *name = static_table[i].name;
            if (strcmp(name, static_table[i - 1].name) == 0)
                continue;
            uint32_t slot = ax__hpack_static_slot((const unsigned char *)name, strlen(name), mult);
            if (slots[slot] != 0)
                ok = false;
            else
                slots[slot] = (uint8_t)i;
        }
        if (ok)
            return;
    }
    fprintf(stderr, "hpack_gen: no perfect hash for the static names\n");
    exit(1);
}

/* ---- output ------------------------------------------------------------------ */

static void write_u32s(FILE *f, const char *decl, const uint32_t *v, size_t n)
{
    fprintf(f, "%s[%zu] = {", decl, n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s0x%08x,", i % 6 == 0 ? "\n    " : " ", (unsigned)v[i]);
    fprintf(f, "\n};\n\n");
}

static void hpack_gen_write(FILE *f)
{
    sub_len = 0;
    memset(slots, 0, sizeof(slots));
    build_root();
    build_static_index();

    fprintf(f, "/* Generated by hpack/gen/hpack_gen.c: do not edit. Regenerate with\n"
               " *   cc -std=c11 -I. -o build/hpack_gen hpack/gen/hpack_gen.c\n"
               " *   build/hpack_gen > hpack/tables.c\n"
               " * (tests/hpack/test_tables.c checks that the two agree). */\n"
               "#include \"hpack/huffman.h\"\n#include \"hpack/static_table.h\"\n\n");
    uint32_t codes[257];
    for (int s = 0; s < 257; s++)
        codes[s] = huffman_code[s].code;
    write_u32s(f, "const uint32_t ax__hpack_huff_code", codes, 257);
    fprintf(f, "const uint8_t ax__hpack_huff_len[257] = {");
    for (int s = 0; s < 257; s++)
        fprintf(f, "%s%u,", s % 16 == 0 ? "\n    " : " ", huffman_code[s].len);
    fprintf(f, "\n};\n\n");
    write_u32s(f, "const uint32_t ax__hpack_huff_root", root, (size_t)1 << AX__HUFF_ROOT_BITS);
    write_u32s(f, "const uint32_t ax__hpack_huff_sub", sub, sub_len);
    fprintf(f, "const uint8_t ax__hpack_static_slots[AX__HPACK_STATIC_SLOTS] = {");
    for (size_t i = 0; i < AX__HPACK_STATIC_SLOTS; i++)
        fprintf(f, "%s%u,", i % 16 == 0 ? "\n    " : " ", slots[i]);
    fprintf(f, "\n};\n\nconst uint32_t ax__hpack_static_mult = 0x%08xu;\n", (unsigned)mult);
}

#ifndef AX_HPACK_GEN_NO_MAIN
int main(void)
{
    hpack_gen_write(stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}
#endif

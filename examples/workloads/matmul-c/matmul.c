/*
 * matmul-c is the matmul workload written in C, for a wasm-first toolchain (clang with wasi-libc):
 * the same algorithm and the same input and output as examples/workloads/matmul. The input is n,
 * then the n×n entries of A and of B, row by row, separated by white space; the output is A×B, one
 * row per line with entries separated by one space. Arithmetic is on 64-bit integers and wraps on
 * overflow (done on uint64_t, where C defines wrapping), so every platform prints the same product.
 * Errors go to stderr as "matmul: ..." with exit code 1.
 *
 * Build for the worker:  clang-14 --target=wasm32-wasi -O2 -msimd128 -o matmul-c.wasm matmul.c
 * Build natively:        clang-14 -O2 -o matmul-c matmul.c
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* MAX_N bounds n, as in the Go version, so that a malformed size cannot allocate without limit. */
#define MAX_N 4096

static void fail(const char *format, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void fail(const char *format, ...) {
	va_list args;
	va_start(args, format);
	fputs("matmul: ", stderr);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
	va_end(args);
	exit(1);
}

/* read_all reads stdin to its end into a NUL-terminated buffer. */
static char *read_all(size_t *len) {
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	if (buf == NULL) fail("out of memory");
	for (;;) {
		if (cap - n < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (buf == NULL) fail("out of memory");
		}
		ssize_t got = read(0, buf + n, cap - n - 1);
		if (got < 0) {
			if (errno == EINTR) continue;
			fail("reading stdin: %s", strerror(errno));
		}
		if (got == 0) break;
		n += (size_t)got;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static int is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* next_word returns the next white-space separated word of the input, or NULL at its end. */
static const char *next_word(char **cursor, size_t *len) {
	char *p = *cursor;
	while (*p && is_space(*p)) p++;
	if (!*p) {
		*cursor = p;
		return NULL;
	}
	char *start = p;
	while (*p && !is_space(*p)) p++;
	*len = (size_t)(p - start);
	*cursor = p;
	return start;
}

/* parse_int64 parses a base-10 integer with an optional sign, as Go's strconv.ParseInt(s, 10, 64). */
static int parse_int64(const char *s, size_t len, int64_t *out) {
	size_t i = 0;
	int neg = 0;
	if (len > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len) return 0;
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') return 0;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (limit - d) / 10) return 0;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 1;
}

static int64_t next_int(char **cursor, const char *what, size_t index) {
	size_t len = 0;
	const char *word = next_word(cursor, &len);
	int64_t v;
	if (word == NULL) fail("reading %s %zu: unexpected EOF", what, index);
	if (!parse_int64(word, len, &v)) fail("reading %s %zu: invalid integer %.*s", what, index, (int)(len > 32 ? 32 : len), word);
	return v;
}

/* format_int64 writes v in base 10 at out, as printf's %lld would, and returns its length. */
static size_t format_int64(char *out, int64_t v) {
	char digits[20];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t k = 0, w = 0;
	do {
		digits[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0) out[w++] = '-';
	while (k > 0) out[w++] = digits[--k];
	return w;
}

int main(void) {
	size_t len;
	char *input = read_all(&len), *cursor = input;
	int64_t n64 = next_int(&cursor, "n", 0);
	if (n64 < 1 || n64 > MAX_N) fail("n = %" PRId64 ", want 1..%d", n64, MAX_N);
	size_t n = (size_t)n64;
	uint64_t *a = malloc(n * n * sizeof *a), *b = malloc(n * n * sizeof *b), *c = calloc(n * n, sizeof *c);
	if (a == NULL || b == NULL || c == NULL) fail("out of memory");
	for (size_t i = 0; i < n * n; i++) a[i] = (uint64_t)next_int(&cursor, "entry", i);
	for (size_t i = 0; i < n * n; i++) b[i] = (uint64_t)next_int(&cursor, "entry", i);
	size_t rest;
	if (next_word(&cursor, &rest) != NULL) fail("input continues after the second matrix");

	/* i-k-j order walks B and C row by row, which keeps the inner loop in cache. */
	for (size_t i = 0; i < n; i++) {
		uint64_t *ci = c + i * n;
		for (size_t k = 0; k < n; k++) {
			uint64_t aik = a[i * n + k];
			const uint64_t *bk = b + k * n;
			for (size_t j = 0; j < n; j++) ci[j] += aik * bk[j];
		}
	}

	/* One row at a time into a buffer: at most 21 bytes per entry. */
	char *line = malloc(n * 21 + 1);
	if (line == NULL) fail("out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t w = 0;
		for (size_t j = 0; j < n; j++) {
			if (j > 0) line[w++] = ' ';
			w += format_int64(line + w, (int64_t)c[i * n + j]);
		}
		line[w++] = '\n';
		if (fwrite(line, 1, w, stdout) != w) fail("writing stdout");
	}
	if (fflush(stdout) != 0) fail("writing stdout");
	return 0;
}

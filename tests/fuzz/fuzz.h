/*
 * tests/fuzz/fuzz.h: the libFuzzer entry point every target defines. The
 * same file builds two ways: with clang -fsanitize=fuzzer for `make fuzz`,
 * and with replay.c's main() for `make test`, which runs every corpus file
 * (SQLite's fuzzcheck idea), so a crash once found stays a test for good.
 */
#ifndef SMSDESK_TESTS_FUZZ_FUZZ_H
#define SMSDESK_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

/* CRC-32/IEEE against published check values. */
#include <string.h>

#include <vmcompact/proto.h>
#include "harness.h"

static uint32_t crc_of(const char *s)
{
	return vmc_crc32(0, s, strlen(s));
}

static void test_check_values(void)
{
	CHECK(crc_of("") == 0);
	CHECK(crc_of("a") == 0xe8b7be43);
	CHECK(crc_of("123456789") == 0xcbf43926);
	CHECK(crc_of("The quick brown fox jumps over the lazy dog") ==
	      0x414fa339);
}

static void test_chaining(void)
{
	const char *s = "The quick brown fox jumps over the lazy dog";

	for (size_t cut = 0; cut <= strlen(s); cut++) {
		uint32_t crc = vmc_crc32(vmc_crc32(0, s, cut), s + cut,
					 strlen(s) - cut);

		CHECKF(crc == 0x414fa339, "split at %zu gives 0x%08x", cut,
		       crc);
	}
}

static void test_every_byte(void)
{
	uint8_t all[256];

	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	/* zlib.crc32(bytes(range(256))) */
	CHECK(vmc_crc32(0, all, sizeof(all)) == 0x29058c73);
}

int main(void)
{
	t_run("crc32_check_values", test_check_values);
	t_run("crc32_chaining", test_chaining);
	t_run("crc32_every_byte", test_every_byte);
	return t_exit_status();
}

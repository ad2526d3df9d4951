/* Running the project's binaries from a test. */
#ifndef VMC_TEST_PROC_H
#define VMC_TEST_PROC_H

#include <sys/types.h>

/* The path in environment variable env if set, else built_in. */
const char *t_bin(const char *env, const char *built_in);

/* Start argv with stdout and stderr sent to files (NULL: inherited). */
pid_t t_spawn(char *const argv[], const char *out_path, const char *err_path);

/* Wait for pid: its exit status, or -1 if it did not exit normally. */
int t_wait(pid_t pid);

/* Run argv to completion, output to files: its exit status. */
int t_run_cmd(char *const argv[], const char *out_path, const char *err_path);

/* The contents of a file, NUL-terminated, in a static buffer ("" if none). */
const char *t_slurp(const char *path);

#endif /* VMC_TEST_PROC_H */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

const char *t_bin(const char *env, const char *built_in)
{
	const char *s = getenv(env);

	return s && *s ? s : built_in;
}

static void redirect(const char *path, int fd)
{
	int f;

	if (!path)
		return;
	f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (f < 0 || dup2(f, fd) < 0)
		_exit(126);
	close(f);
}

pid_t t_spawn(char *const argv[], const char *out_path, const char *err_path)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		redirect(out_path, STDOUT_FILENO);
		redirect(err_path, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int t_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int t_run_cmd(char *const argv[], const char *out_path, const char *err_path)
{
	pid_t pid = t_spawn(argv, out_path, err_path);

	return pid < 0 ? -1 : t_wait(pid);
}

const char *t_slurp(const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

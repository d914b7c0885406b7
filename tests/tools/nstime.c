// SPDX-License-Identifier: GPL-2.0
/*
 * nstime: run a command and print how long it took, in nanoseconds, on
 * standard error as "elapsed_ns N". Exits with the command's status.
 */

#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t t0;
	pid_t pid;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: nstime COMMAND [ARG]...\n");
		return 64;
	}
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (!pid) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	fprintf(stderr, "elapsed_ns %llu\n", (unsigned long long)(now_ns() - t0));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A workload that runs for ages with no loop in its source: doubly recursive Fibonacci of 90 makes
   about 10^19 calls, while the stack never gets deeper than 90 frames. */
#include <stdio.h>

__attribute__((noinline)) static unsigned long long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
	printf("%llu\n", fib(90));
	return 0;
}

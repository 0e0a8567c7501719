/* A workload that never ends: a loop with no call, which only the runtime's time limit can stop. */
int main(void) {
	volatile unsigned long n = 0;
	for (;;) n++;
}

#include <stdio.h>

#include "version.h"

int main(void)
{
	printf("qcra %s\n", QCRA_VERSION);
	return 0;
}

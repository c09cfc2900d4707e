/*
 * `qcra ca ...`: the certification authority service, a separate process
 * sharing the binary.  Returns the exit status (0, 1 failure, 2 usage).
 */
#ifndef QCRA_CA_CLI_H
#define QCRA_CA_CLI_H

int cli_ca(int argc, char **argv);

#endif

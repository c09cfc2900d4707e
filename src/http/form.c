/* placeholder: being written */
typedef int qcra_placeholder_t;

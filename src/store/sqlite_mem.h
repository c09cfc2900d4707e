#ifndef QCRA_STORE_SQLITE_MEM_H
#define QCRA_STORE_SQLITE_MEM_H

/* Installs SQLite's allocator (sqlite_mem.c); before sqlite3_initialize. */
void sqlite_mem_configure(void);

#endif

/*
 * lmdb_scan DESK: the reference for reads of the ticket cache, plain C
 * over LMDB: opens .git/rt/cache.mdb read-only, walks every ticket record
 * once, reads each of its bytes and writes the ids to stdout, one a line,
 * as rt-ls --ids does. What rt-ls, rt-report and the sweep cost beyond
 * this is theirs (bench/ls.sh, report.sh, escalate.sh).
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char *argv[])
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k, v;
	unsigned long sum = 0;
	char path[4096];

	if (argc != 2)
		return fprintf(stderr, "usage: lmdb_scan DESK\n"), 64;
	snprintf(path, sizeof(path), "%s/.git/rt/cache.mdb", argv[1]);
	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 8) ||
	    mdb_env_open(env, path, MDB_NOSUBDIR | MDB_RDONLY, 0) ||
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) ||
	    mdb_dbi_open(txn, "tickets", 0, &dbi) || mdb_cursor_open(txn, dbi, &cur))
		return fprintf(stderr, "lmdb_scan: cannot read %s\n", path), 66;
	for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op) == 0; op = MDB_NEXT) {
		for (size_t i = 0; i < v.mv_size; i++)
			sum += ((unsigned char *)v.mv_data)[i];
		fwrite(k.mv_data, 1, k.mv_size, stdout);
		putchar('\n');
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return sum == 1;	/* the sum is only there to be read */
}

/*
 * Unit tests for tree_update: the same trees as git_tree_create_updated,
 * for hand-picked cases (git's folder order, D/F conflicts, folders left
 * empty) and for random updates of a fan-out like a desk's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "treeup.h"

static git_repository *repo;

static git_oid
blob(const char *text)
{
	git_oid id;

	if (git_blob_create_from_buffer(&id, repo, text, strlen(text)) < 0)
		abort();
	return id;
}

/* Both ways from base (NULL: empty); 1 if they agree (same tree, or both fail). */
static int
same(const git_oid *base, size_t n, const git_tree_update *up, int *failed)
{
	git_tree *bt = NULL;
	git_treebuilder *tb;
	git_oid empty, want, got;
	int rw, rg;

	if (base == NULL) {
		if (git_treebuilder_new(&tb, repo, NULL) < 0 || git_treebuilder_write(&empty, tb) < 0)
			abort();
		git_treebuilder_free(tb);
	}
	if (git_tree_lookup(&bt, repo, base ? base : &empty) < 0)
		abort();
	rw = git_tree_create_updated(&want, repo, bt, n, up);
	rg = tree_update(repo, base, n, up, &got);
	git_tree_free(bt);
	*failed = rg < 0;
	if (rw < 0 || rg < 0)
		return (rw < 0) == (rg < 0);
	if (!git_oid_equal(&want, &got)) {
		printf("#   libgit2 %s, tree_update %s\n", git_oid_tostr_s(&want), git_oid_tostr_s(&got));
		return 0;
	}
	return 1;
}

static git_oid
tree_of(size_t n, const git_tree_update *up)
{
	git_oid id;

	if (tree_update(repo, NULL, n, up, &id) < 0)
		abort();
	return id;
}

#define PUT(p, b) { GIT_TREE_UPDATE_UPSERT, (b), GIT_FILEMODE_BLOB, (p) }
#define DEL(p) { GIT_TREE_UPDATE_REMOVE, { { 0 } }, GIT_FILEMODE_BLOB, (p) }

static void
cases(void)
{
	git_oid a = blob("a\n"), b = blob("b\n"), base, base2;
	int failed;
	git_tree_update start[] = {
		PUT("a", a), PUT("a.b", a), PUT("a-b", a), PUT("a0", a), PUT("ab/x", a), PUT("ab.c", a),
		PUT("tickets/K/7/M/K7M2Q9XD/log.yaml", a), PUT("tickets/K/7/M/K7M2Q9XD/msg/1.eml", b),
		PUT("tickets/K/7/N/K7N00000/log.yaml", b), PUT("rt.yaml", a),
	};
	git_tree_update empty_put[] = { PUT("x/y/z", a), PUT("top", b) };
	git_tree_update order[] = { PUT("ab/y", b), PUT("a.c", b), PUT("ab0", b), PUT("ab-c", b),
		PUT("ab.d/z", b) };
	git_tree_update add_ticket[] = {
		PUT("tickets/K/7/M/K7M3AAAA/log.yaml", b), PUT("tickets/K/7/M/K7M3AAAA/msg/2.eml", a),
		PUT("tickets/K/7/M/K7M3AAAA/ticket.yaml", a),
	};
	git_tree_update change[] = { PUT("tickets/K/7/M/K7M2Q9XD/log.yaml", b), PUT("rt.yaml", b) };
	git_tree_update empties[] = { DEL("tickets/K/7/N/K7N00000/log.yaml") };
	git_tree_update all_gone[] = { DEL("ab/x") };
	git_tree_update df_file[] = { PUT("a/x", b) };
	git_tree_update df_folder[] = { PUT("ab", b) };
	git_tree_update missing[] = { DEL("nothere") };
	git_tree_update twice[] = { PUT("rt.yaml", a), PUT("rt.yaml", b) };
	git_tree_update dotgit[] = { PUT("x/.git/config", a) };
	git_tree_update ntfs[][1] = { { PUT("x/.GIT./config", a) }, { PUT("x/git~1/config", a) },
		{ PUT("x/.git /config", a) } };
	git_tree_update dotdot[] = { PUT("x/../y", a) };
	git_tree_update slashes[] = { PUT("x//y", a) };

	ok(same(NULL, 2, empty_put, &failed) && !failed, "from the empty tree");
	base = tree_of(10, start);
	ok(same(NULL, 10, start, &failed) && !failed, "names git orders around '/' (a, a-b, a.b, a0, ab.c, ab/)");
	ok(same(&base, 5, order, &failed) && !failed, "new names and folders among them");
	ok(same(&base, 3, add_ticket, &failed) && !failed, "a new ticket in a fan-out folder");
	ok(same(&base, 2, change, &failed) && !failed, "changed files keep their places");
	ok(same(&base, 1, empties, &failed) && !failed, "a folder left empty goes, up to the first that is not");
	ok(same(&base, 1, all_gone, &failed) && !failed, "the last file of a folder");
	ok(same(&base, 1, df_file, &failed) && failed, "a path through a file is a D/F conflict");
	ok(same(&base, 1, df_folder, &failed) && failed, "a file in place of a folder fails");
	ok(same(&base, 1, missing, &failed) && failed, "removing a missing path fails");
	ok(same(&base, 2, twice, &failed) && failed, "two updates of one path fail");
	ok(tree_update(repo, &base, 1, dotgit, &base2) < 0, ".git is no name in a tree");
	for (int i = 0; i < 3; i++)
		ok(same(&base, 1, ntfs[i], &failed) && failed,
		    "a spelling NTFS reads as .git fails, as in libgit2");
	ok(tree_update(repo, &base, 1, dotdot, &base2) < 0, ".. is no name in a tree");
	ok(tree_update(repo, &base, 1, slashes, &base2) < 0, "an empty name is no name in a tree");
}

/* Random new tickets, changed logs and removed mails on a three-level fan-out. */
static void
random_desk(void)
{
	static const char alpha[] = "ABCDEFGHJKMNPQRSTVWXYZ0123456789";
	char paths[400][64], ids[200][9];
	git_oid base, blobs[4];
	size_t nids = 0;
	int agree = 1, failed;

	srand(13);
	for (int i = 0; i < 4; i++) {
		char text[32];
		snprintf(text, sizeof(text), "blob %d\n", i);
		blobs[i] = blob(text);
	}
	{
		git_tree_update first[] = { PUT("rt.yaml", blobs[0]) };
		base = tree_of(1, first);
	}
	for (int round = 0; round < 300 && agree; round++) {
		git_tree_update up[6];
		size_t n = 0;
		int kind = rand() % 3;
		if (kind == 0 || nids == 0) {	/* a new ticket */
			char *id = ids[nids < 200 ? nids++ : (size_t)(rand() % 200)];
			for (int k = 0; k < 8; k++)
				id[k] = alpha[rand() % (nids < 40 ? 4 : 32)];
			id[8] = '\0';
			for (int f = 0; f < 3; f++) {
				snprintf(paths[n], sizeof(paths[n]), "tickets/%c/%c/%c/%s/%s", id[0], id[1],
				    id[2], id, f == 0 ? "log.yaml" : f == 1 ? "ticket.yaml" : "msg/1.eml");
				up[n] = (git_tree_update)PUT(paths[n], blobs[rand() % 4]);
				n++;
			}
		} else {	/* a change to a ticket, maybe one that is gone */
			const char *id = ids[rand() % nids];
			snprintf(paths[n], sizeof(paths[n]), "tickets/%c/%c/%c/%s/log.yaml", id[0], id[1],
			    id[2], id);
			up[n] = (git_tree_update)PUT(paths[n], blobs[rand() % 4]);
			n++;
			snprintf(paths[n], sizeof(paths[n]), "tickets/%c/%c/%c/%s/msg/1.eml", id[0], id[1],
			    id[2], id);
			up[n] = kind == 1 ? (git_tree_update)PUT(paths[n], blobs[1]) :
			    (git_tree_update)DEL(paths[n]);
			n++;
		}
		agree = same(&base, n, up, &failed);
		if (!failed) {
			git_oid next;
			tree_update(repo, &base, n, up, &next);
			base = next;
		}
	}
	ok(agree, "300 random updates of a fan-out desk: the same trees as libgit2");
}

int
main(void)
{
	char dir[] = "/tmp/rt-treeup-XXXXXX";

	git_libgit2_init();
	if (mkdtemp(dir) == NULL || git_repository_init(&repo, dir, 1) < 0) {
		printf("Bail out! cannot make a repository in %s\n", dir);
		return 1;
	}
	cases();
	random_desk();
	git_repository_free(repo);
	{
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	git_libgit2_shutdown();
	return tap_done();
}

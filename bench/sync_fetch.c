/*
 * sync_fetch DESK REMOTE BRANCH: fetches the branch as rt-sync does
 * (same refspec and options), through libgit2 alone: the reference of
 * bench/sync.sh, measured in the same run.
 */
#include <git2.h>
#include <stdio.h>

int
main(int argc, char *argv[])
{
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_fetch_options fo;
	char spec[512], *specs[] = { spec };
	git_strarray sa = { specs, 1 };
	int rc = 1;

	git_libgit2_init();
	if (argc != 4) {
		fprintf(stderr, "usage: sync_fetch DESK REMOTE BRANCH\n");
		return 64;
	}
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.update_fetchhead = 0;
	snprintf(spec, sizeof(spec), "+refs/heads/%s:refs/remotes/%s/%s", argv[3], argv[2], argv[3]);
	if (git_repository_open(&repo, argv[1]) == 0 &&
	    git_remote_lookup(&remote, repo, argv[2]) == 0 &&
	    git_remote_fetch(remote, &sa, &fo, "bench: fetch") == 0)
		rc = 0;
	else
		fprintf(stderr, "sync_fetch: %s\n", git_error_last() ? git_error_last()->message : "?");
	git_remote_free(remote);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process `exec` runs: --process or the container's own process,
 * with exec's flags applied on top, as runc applies them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container_internal.h"

/* K=V replaces an entry for K, or comes last: what the program's getenv
 * sees is the flag's value. */
static void set_env(char **env, size_t *n, char *kv)
{
	size_t key = strcspn(kv, "=");
	for (size_t i = 0; i < *n; i++) {
		if (strncmp(env[i], kv, key + 1) == 0) {
			env[i] = kv;
			return;
		}
	}
	env[(*n)++] = kv;
}

static int merge_env(struct husk_exec_process *x, const husk_strv *extra, husk_err *err)
{
	if (!extra->n)
		return 0;
	size_t n = x->p.env.n;
	x->env = calloc(n + extra->n, sizeof(char *));
	if (!x->env)
		return husk_error(err, ENOMEM, "--env");
	if (n)
		memcpy(x->env, x->p.env.v, n * sizeof(char *));
	for (size_t i = 0; i < extra->n; i++)
		set_env(x->env, &n, extra->v[i]);
	x->p.env.v = x->env;
	x->p.env.n = n;
	return 0;
}

static int merge_gids(struct husk_exec_process *x, const husk_u32v *extra, husk_err *err)
{
	if (!extra->n)
		return 0;
	husk_u32v *gids = &x->p.user.additional_gids;
	x->gids = calloc(gids->n + extra->n, sizeof(uint32_t));
	if (!x->gids)
		return husk_error(err, ENOMEM, "--additional-gids");
	if (gids->n)
		memcpy(x->gids, gids->v, gids->n * sizeof(uint32_t));
	memcpy(x->gids + gids->n, extra->v, extra->n * sizeof(uint32_t));
	gids->v = x->gids;
	gids->n += extra->n;
	return 0;
}

/* Never inheritable or ambient: a capability added for one exec must not
 * pass on to programs that process runs in turn. */
static void add_caps(struct husk_exec_process *x, uint64_t caps)
{
	if (x->p.capabilities)
		x->caps = *x->p.capabilities;
	x->caps.bounding |= caps;
	x->caps.effective |= caps;
	x->caps.permitted |= caps;
	x->p.capabilities = &x->caps;
}

static void apply_scalars(struct husk_exec_process *x, const struct husk_exec_opts *o)
{
	if (!o->process) {
		/* As runc: a command line never gets the config's terminal. */
		x->p.args = o->args;
		x->p.terminal = false;
	}
	if (o->tty)
		x->p.terminal = true;
	if (o->cwd)
		x->p.cwd = (char *)o->cwd;
	if (o->set_uid)
		x->p.user.uid = o->uid;
	if (o->set_gid)
		x->p.user.gid = o->gid;
	if (o->no_new_privs)
		x->p.no_new_privileges = true;
	if (o->apparmor)
		x->p.apparmor_profile = (char *)o->apparmor;
	if (o->process_label)
		x->p.selinux_label = (char *)o->process_label;
}

int husk_exec_process_build(struct husk_exec_process *x, const struct husk_process *base,
			    const struct husk_exec_opts *o, husk_err *err)
{
	*x = (struct husk_exec_process){ .p = *base };
	apply_scalars(x, o);
	if (o->caps)
		add_caps(x, o->caps);
	if (merge_env(x, &o->env, err) < 0 || merge_gids(x, &o->additional_gids, err) < 0)
		return -1;
	if (!x->p.args.n)
		return husk_error(err, 0, "process args cannot be empty");
	if (!x->p.cwd || x->p.cwd[0] != '/')
		return husk_error(err, 0, "--cwd \"%s\": must be an absolute path", x->p.cwd ? x->p.cwd : "");
	return 0;
}

void husk_exec_process_release(struct husk_exec_process *x)
{
	free(x->env);
	free(x->gids);
	x->env = NULL;
	x->gids = NULL;
}

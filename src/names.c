/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "husk/names.h"

int husk_name_lookup(const struct husk_name *table, const char *name)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table->value;
	return -1;
}

const char *husk_name_of(const struct husk_name *table, int value)
{
	for (; table->name; table++)
		if (table->value == value)
			return table->name;
	return NULL;
}

// Placeholder until rule.cc lands.
#include "rules/rule.h"

// Placeholder until calendar.cc lands.
#include "sla/calendar.h"

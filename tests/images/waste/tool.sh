#!/bin/sh
# A harmless script that the waste image marks setuid root (for audit tests).
echo "careen test tool"

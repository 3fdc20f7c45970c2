#!/usr/bin/env node
// Thin launcher kept outside dist/ so package managers can link it before the first build.
import '../dist/cli/main.js'

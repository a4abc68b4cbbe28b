import type { Module } from '../module.ts'
import { seedOnFirstStart } from './seed.ts'

export const demoModule: Module = {
  name: 'demo',
  start: seedOnFirstStart,
}

// hsm-info: identity and counters of this HSM (no login needed).
import type { OpContext } from '../op-context.js';
import { readSetting } from '../settings.js';
import type { OpArgs, OpResult } from '../../protocol/operations.js';

export const FIRMWARE_VERSION = '1.0.0';

export function hsmInfo(ctx: OpContext, _args: OpArgs<'hsm-info'>): OpResult<'hsm-info'> {
  return {
    hsmId: ctx.node.hsmId,
    clusterId: ctx.node.clusterId,
    serialNumber: readSetting(ctx.store, 'serial_number'),
    activated: ctx.store.getUser('admin')?.role !== 'unactivated-admin',
    userCount: ctx.store.countUsers(),
    firmwareVersion: FIRMWARE_VERSION,
  };
}

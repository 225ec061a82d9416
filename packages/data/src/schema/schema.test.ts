import { describe, expect, it } from 'vitest';
import { columnWithRole, columnsWithRole, defineSchema, describeSchema, roleColumn, TRANSACTION_SCHEMA } from '@mlsd/data';

describe('schemas', () => {
  it('ships the Handbook transaction schema', () => {
    expect(TRANSACTION_SCHEMA.columns.map((c) => `${c.name}:${c.type}:${c.role}`)).toEqual([
      'TRANSACTION_ID:integer:id',
      'TX_DATETIME:timestamp:event-time',
      'CUSTOMER_ID:integer:entity-key',
      'TERMINAL_ID:integer:entity-key',
      'TX_AMOUNT:float:feature',
      'TX_FRAUD:label:label',
      'TX_FRAUD_SCENARIO:integer:label',
    ]);
    expect(describeSchema(TRANSACTION_SCHEMA)).toContain('TX_FRAUD_SCENARIO (integer, label, optional)');
  });

  it('refuses duplicate names, unknown keys, types and roles, naming the valid ones', () => {
    expect(() => defineSchema('s', [])).toThrow(/has no columns/);
    expect(() =>
      defineSchema('s', [
        { name: 'a', type: 'float', role: 'feature' },
        { name: 'a', type: 'float', role: 'feature' },
      ]),
    ).toThrow(/column "a" is declared twice/);
    expect(() => defineSchema('s', [{ name: 'a', type: 'double' as never, role: 'feature' }])).toThrow(
      /valid types are integer, float, timestamp, label, category/,
    );
    expect(() => defineSchema('s', [{ name: 'a', type: 'float', role: 'target' as never }])).toThrow(/valid roles are id, event-time/);
    expect(() => defineSchema('s', [{ name: 'a', type: 'float', role: 'feature', nullable: true } as never])).toThrow(/unknown key "nullable"/);
    expect(() => defineSchema('s', [{ name: 'a', type: 'label', role: 'label', min: 0 }])).toThrow(/"min" must be a finite number/);
  });
});

describe('column roles', () => {
  it('finds the column of a role, preferring a required one, and resolves options explicit > schema > default', () => {
    expect(columnWithRole(TRANSACTION_SCHEMA, 'label')?.name).toBe('TX_FRAUD');
    expect(columnWithRole(TRANSACTION_SCHEMA, 'event-time')?.name).toBe('TX_DATETIME');
    const scenarioFirst = defineSchema('s', [
      { name: 'scenario', type: 'integer', role: 'label', required: false },
      { name: 'y', type: 'label', role: 'label' },
    ]);
    expect(columnWithRole(scenarioFirst, 'label')?.name).toBe('y');
    expect(columnWithRole(scenarioFirst, 'id')).toBeUndefined();
    expect(columnsWithRole(TRANSACTION_SCHEMA, 'entity-key').map((c) => c.name)).toEqual(['CUSTOMER_ID', 'TERMINAL_ID']);
    expect(roleColumn('t', TRANSACTION_SCHEMA, 'event-time', 'd')).toBe('t');
    expect(roleColumn(undefined, TRANSACTION_SCHEMA, 'event-time', 'd')).toBe('TX_DATETIME');
    expect(roleColumn(undefined, scenarioFirst, 'event-time', 'd')).toBe('d');
    expect(roleColumn(undefined, undefined, 'id', 'd')).toBe('d');
  });
});

using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace LabThings;

/// <summary>
/// Reads a compiled setter's IL to see whether it calls <see cref="Thing"/>'s <c>SetProperty</c> (rule LT0001 at
/// start-up, for assemblies built without the analyzer). Walks the instructions with the operand sizes from
/// <see cref="OpCodes"/>; it does not follow calls into other methods.
/// </summary>
internal static class SetterInspection
{
    private static readonly MethodInfo SetProperty = typeof(Thing).GetMethod("SetProperty", BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256];

#pragma warning disable CA1810 // The tables are filled from OpCodes' fields; no initializer expression can do that.
    static SetterInspection()
#pragma warning restore CA1810
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            var value = (ushort)code.Value;
            if (value < 0x100)
            {
                OneByte[value] = code;
            }
            else if ((value & 0xFF00) == 0xFE00)
            {
                TwoByte[value & 0xFF] = code;
            }
        }
    }

    /// <summary>An <c>init</c> accessor runs only while the Thing is constructed: nobody observes it yet.</summary>
    public static bool IsInitOnly(MethodInfo setter)
        => setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));

    /// <summary>Whether <paramref name="setter"/> calls SetProperty; true when its IL cannot be read (nothing to report then).</summary>
    public static bool CallsSetProperty(MethodInfo setter)
    {
        var il = setter.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return true;
        }

        var typeArguments = setter.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            OpCode code;
            if (il[i] == 0xFE && i + 1 < il.Length)
            {
                code = TwoByte[il[i + 1]];
                i += 2;
            }
            else
            {
                code = OneByte[il[i]];
                i += 1;
            }

            if ((code == OpCodes.Call || code == OpCodes.Callvirt) && i + 4 <= il.Length && Resolve(setter.Module, BitConverter.ToInt32(il, i), typeArguments) is { } called
                && called.IsGenericMethod && called.GetGenericMethodDefinition().Equals(SetProperty))
            {
                return true;
            }

            i += OperandSize(code, il, i);
        }

        return false;
    }

    private static MethodInfo? Resolve(Module module, int token, Type[]? typeArguments)
    {
        try
        {
            return module.ResolveMethod(token, typeArguments, null) as MethodInfo;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static int OperandSize(OpCode code, byte[] il, int at) => code.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };
}

// Behavioural models of the four Lattice ECP5 primitives that fftforge's
// "ecp5" target instantiates (hdl/prims.py), for simulating that Verilog
// (with Icarus or the Verilator simulator).  Yosys ships only black boxes for them
// (share/lattice/cells_bb_ecp5.v; cells_sim_ecp5.v's DP16KD is empty), so
// these models are written from the ECP5 sysMEM/sysDSP usage guides
// (FPGA-TN-02204, FPGA-TN-02205) and Yosys's own mapping files
// (brams_map_16kd.v: address bits AD[13:lsb] by data width, byte enables in
// AD[1:0] (x18) / AD[3:0] (x36), x36 data as {B, A}; INITVAL slots of 20
// bits holding 18-bit words).  They model only what fftforge uses: both
// ports of one width, REGMODE NOREG/OUTREG, WRITEMODE NORMAL /
// READBEFOREWRITE, synchronous CE/OCE, no resets, no chip selects; a
// MULT18X18D as a signed or unsigned 18x18 multiplier with optional input,
// pipeline and output registers on CLK0/CE0; a TRELLIS_FF as the register
// fftforge uses (DI -> Q every clock, LSR a synchronous reset, power-up 0)
// and a LUT4 (hdl/prims.register_copy).  They check fftforge's wiring
// (address and data bit placement, enables, register count) against that
// reading of the primitives; they cannot stand in for the silicon.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
/* verilator lint_off PINCONNECTEMPTY */
module MULT18X18D (
    input A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0,
    input B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0,
    input C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0,
    input SIGNEDA, SIGNEDB, SOURCEA, SOURCEB,
    input CLK3, CLK2, CLK1, CLK0, CE3, CE2, CE1, CE0, RST3, RST2, RST1, RST0,
    input SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9, SRIA8, SRIA7, SRIA6, SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0,
    input SRIB17, SRIB16, SRIB15, SRIB14, SRIB13, SRIB12, SRIB11, SRIB10, SRIB9, SRIB8, SRIB7, SRIB6, SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0,
    output P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18,
    output P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0,
    output SIGNEDP
);
    parameter REG_INPUTA_CLK = "NONE";
    parameter REG_INPUTA_CE = "CE0";
    parameter REG_INPUTA_RST = "RST0";
    parameter REG_INPUTB_CLK = "NONE";
    parameter REG_INPUTB_CE = "CE0";
    parameter REG_INPUTB_RST = "RST0";
    parameter REG_INPUTC_CLK = "NONE";
    parameter REG_INPUTC_CE = "CE0";
    parameter REG_INPUTC_RST = "RST0";
    parameter REG_PIPELINE_CLK = "NONE";
    parameter REG_PIPELINE_CE = "CE0";
    parameter REG_PIPELINE_RST = "RST0";
    parameter REG_OUTPUT_CLK = "NONE";
    parameter REG_OUTPUT_CE = "CE0";
    parameter REG_OUTPUT_RST = "RST0";
    parameter CLK0_DIV = "ENABLED";
    parameter CLK1_DIV = "ENABLED";
    parameter CLK2_DIV = "ENABLED";
    parameter CLK3_DIV = "ENABLED";
    parameter HIGHSPEED_CLK = "NONE";
    parameter GSR = "ENABLED";
    parameter CAS_MATCH_REG = "FALSE";
    parameter SOURCEB_MODE = "B_SHIFT";
    parameter MULT_BYPASS = "DISABLED";
    parameter RESETMODE = "SYNC";

    wire [17:0] a = {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0};
    wire [17:0] b = {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0};
    reg [17:0] a_q, b_q;
    reg sa_q, sb_q;
    always @(posedge CLK0) if (CE0) begin a_q <= a; b_q <= b; sa_q <= SIGNEDA; sb_q <= SIGNEDB; end
    wire [17:0] a_i = (REG_INPUTA_CLK == "CLK0") ? a_q : a;
    wire [17:0] b_i = (REG_INPUTB_CLK == "CLK0") ? b_q : b;
    wire sa_i = (REG_INPUTA_CLK == "CLK0") ? sa_q : SIGNEDA;
    wire sb_i = (REG_INPUTB_CLK == "CLK0") ? sb_q : SIGNEDB;
    wire signed [18:0] a_x = {sa_i & a_i[17], a_i};
    wire signed [18:0] b_x = {sb_i & b_i[17], b_i};
    wire signed [37:0] prod = a_x * b_x;
    reg [35:0] p_pipe, p_out;
    always @(posedge CLK0) if (CE0) p_pipe <= prod[35:0];
    wire [35:0] p_p = (REG_PIPELINE_CLK == "CLK0") ? p_pipe : prod[35:0];
    always @(posedge CLK0) if (CE0) p_out <= p_p;
    wire [35:0] p = (REG_OUTPUT_CLK == "CLK0") ? p_out : p_p;
    assign {P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18,
            P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0} = p;
    assign SIGNEDP = sa_i | sb_i;
endmodule

module DP16KD (
    input DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0,
    input ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0,
    input CEA, OCEA, CLKA, WEA, RSTA,
    input CSA2, CSA1, CSA0,
    output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0,
    input DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0,
    input ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0,
    input CEB, OCEB, CLKB, WEB, RSTB,
    input CSB2, CSB1, CSB0,
    output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);
    parameter DATA_WIDTH_A = 18;
    parameter DATA_WIDTH_B = 18;
    parameter REGMODE_A = "NOREG";
    parameter REGMODE_B = "NOREG";
    parameter RESETMODE = "SYNC";
    parameter ASYNC_RESET_RELEASE = "SYNC";
    parameter CSDECODE_A = "0b000";
    parameter CSDECODE_B = "0b000";
    parameter WRITEMODE_A = "NORMAL";
    parameter WRITEMODE_B = "NORMAL";
    parameter GSR = "ENABLED";
    parameter [319:0] INITVAL_00 = 0, INITVAL_01 = 0, INITVAL_02 = 0, INITVAL_03 = 0, INITVAL_04 = 0, INITVAL_05 = 0, INITVAL_06 = 0, INITVAL_07 = 0;
    parameter [319:0] INITVAL_08 = 0, INITVAL_09 = 0, INITVAL_0A = 0, INITVAL_0B = 0, INITVAL_0C = 0, INITVAL_0D = 0, INITVAL_0E = 0, INITVAL_0F = 0;
    parameter [319:0] INITVAL_10 = 0, INITVAL_11 = 0, INITVAL_12 = 0, INITVAL_13 = 0, INITVAL_14 = 0, INITVAL_15 = 0, INITVAL_16 = 0, INITVAL_17 = 0;
    parameter [319:0] INITVAL_18 = 0, INITVAL_19 = 0, INITVAL_1A = 0, INITVAL_1B = 0, INITVAL_1C = 0, INITVAL_1D = 0, INITVAL_1E = 0, INITVAL_1F = 0;
    parameter [319:0] INITVAL_20 = 0, INITVAL_21 = 0, INITVAL_22 = 0, INITVAL_23 = 0, INITVAL_24 = 0, INITVAL_25 = 0, INITVAL_26 = 0, INITVAL_27 = 0;
    parameter [319:0] INITVAL_28 = 0, INITVAL_29 = 0, INITVAL_2A = 0, INITVAL_2B = 0, INITVAL_2C = 0, INITVAL_2D = 0, INITVAL_2E = 0, INITVAL_2F = 0;
    parameter [319:0] INITVAL_30 = 0, INITVAL_31 = 0, INITVAL_32 = 0, INITVAL_33 = 0, INITVAL_34 = 0, INITVAL_35 = 0, INITVAL_36 = 0, INITVAL_37 = 0;
    parameter [319:0] INITVAL_38 = 0, INITVAL_39 = 0, INITVAL_3A = 0, INITVAL_3B = 0, INITVAL_3C = 0, INITVAL_3D = 0, INITVAL_3E = 0, INITVAL_3F = 0;

    // storage as 36-bit rows of the widest mode; narrower modes index into
    // the 18432 bits as rows of W bits (both ports use one width here)
    localparam W = DATA_WIDTH_A;
    localparam LSB = (W == 36) ? 5 : (W == 18) ? 4 : (W == 9) ? 3 : (W == 4) ? 2 : (W == 2) ? 1 : 0;
    localparam DEPTH = 1 << (14 - LSB);
    reg [W-1:0] mem [0:DEPTH-1];

    wire [319:0] initval [0:63];
    assign initval[0] = INITVAL_00; assign initval[1] = INITVAL_01; assign initval[2] = INITVAL_02; assign initval[3] = INITVAL_03;
    assign initval[4] = INITVAL_04; assign initval[5] = INITVAL_05; assign initval[6] = INITVAL_06; assign initval[7] = INITVAL_07;
    assign initval[8] = INITVAL_08; assign initval[9] = INITVAL_09; assign initval[10] = INITVAL_0A; assign initval[11] = INITVAL_0B;
    assign initval[12] = INITVAL_0C; assign initval[13] = INITVAL_0D; assign initval[14] = INITVAL_0E; assign initval[15] = INITVAL_0F;
    assign initval[16] = INITVAL_10; assign initval[17] = INITVAL_11; assign initval[18] = INITVAL_12; assign initval[19] = INITVAL_13;
    assign initval[20] = INITVAL_14; assign initval[21] = INITVAL_15; assign initval[22] = INITVAL_16; assign initval[23] = INITVAL_17;
    assign initval[24] = INITVAL_18; assign initval[25] = INITVAL_19; assign initval[26] = INITVAL_1A; assign initval[27] = INITVAL_1B;
    assign initval[28] = INITVAL_1C; assign initval[29] = INITVAL_1D; assign initval[30] = INITVAL_1E; assign initval[31] = INITVAL_1F;
    assign initval[32] = INITVAL_20; assign initval[33] = INITVAL_21; assign initval[34] = INITVAL_22; assign initval[35] = INITVAL_23;
    assign initval[36] = INITVAL_24; assign initval[37] = INITVAL_25; assign initval[38] = INITVAL_26; assign initval[39] = INITVAL_27;
    assign initval[40] = INITVAL_28; assign initval[41] = INITVAL_29; assign initval[42] = INITVAL_2A; assign initval[43] = INITVAL_2B;
    assign initval[44] = INITVAL_2C; assign initval[45] = INITVAL_2D; assign initval[46] = INITVAL_2E; assign initval[47] = INITVAL_2F;
    assign initval[48] = INITVAL_30; assign initval[49] = INITVAL_31; assign initval[50] = INITVAL_32; assign initval[51] = INITVAL_33;
    assign initval[52] = INITVAL_34; assign initval[53] = INITVAL_35; assign initval[54] = INITVAL_36; assign initval[55] = INITVAL_37;
    assign initval[56] = INITVAL_38; assign initval[57] = INITVAL_39; assign initval[58] = INITVAL_3A; assign initval[59] = INITVAL_3B;
    assign initval[60] = INITVAL_3C; assign initval[61] = INITVAL_3D; assign initval[62] = INITVAL_3E; assign initval[63] = INITVAL_3F;
    // x18 contents (the only mode fftforge initialises): word k in slot k % 16 of INITVAL_(k / 16)
    reg init_done = 1'b0;
    wire [17:0] init_word [0:1023];
    genvar gk;
    generate for (gk = 0; gk < 1024; gk = gk + 1) begin : g_init
        assign init_word[gk] = initval[gk / 16][(gk % 16) * 20 +: 18];
    end endgenerate
    wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0};
    wire [13:0] adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0};
    wire [17:0] dia = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
    wire [17:0] dib = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};
    wire [35:0] wdata36 = {dib, dia};
    wire [W-1:0] wda = (W == 36) ? wdata36[W-1:0] : dia[W-1:0];
    wire [W-1:0] wdb = dib[W-1:0];
    wire [13-LSB:0] wa = ada[13:LSB];
    wire [13-LSB:0] wb = adb[13:LSB];
    // a write needs its byte enables in the 18/36-bit modes
    wire be_a = (W == 36) ? (&ada[3:0]) : (W == 18) ? (&ada[1:0]) : 1'b1;
    wire be_b = (W == 18) ? (&adb[1:0]) : 1'b1;

    // one clock in fftforge's use: CLKA and CLKB are the same net
    reg [W-1:0] lat_a, lat_b, out_a, out_b;
    integer k;
    always @(posedge CLKA) begin
        if (!init_done) begin
            if (W == 18) for (k = 0; k < 1024; k = k + 1) mem[k] <= init_word[k][W-1:0];
            init_done <= 1'b1;
        end else begin
            if (CEA) begin
                if (WEA) begin
                    if (W != 36 && WRITEMODE_A == "READBEFOREWRITE") lat_a <= mem[wa];
                    else if (W != 36 && WRITEMODE_A == "WRITETHROUGH") lat_a <= wda;
                    if (be_a) mem[wa] <= wda;
                end else begin
                    lat_a <= mem[wa];
                end
            end
            if (CEB) begin
                if (WEB && W != 36) begin
                    if (be_b) mem[wb] <= wdb;
                end else begin
                    lat_b <= mem[wb];
                end
            end
        end
        if (OCEA) out_a <= lat_a;
        if (OCEB) out_b <= lat_b;
    end
    wire [W-1:0] ra = (REGMODE_A == "OUTREG") ? out_a : lat_a;
    wire [W-1:0] rb = (REGMODE_B == "OUTREG") ? out_b : lat_b;
    // x36 (pseudo dual port): the read port B gives all 36 bits, A the low half
    wire [35:0] rb36 = {{(36 - W){1'b0}}, rb};
    wire [17:0] doa = (W == 36) ? rb36[17:0] : {{(18 - ((W == 36) ? 18 : W)){1'b0}}, ra[((W == 36) ? 18 : W) - 1:0]};
    wire [17:0] dob = (W == 36) ? rb36[35:18] : {{(18 - ((W == 36) ? 18 : W)){1'b0}}, rb[((W == 36) ? 18 : W) - 1:0]};
    assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} = doa;
    assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} = dob;
endmodule

// TRELLIS_FF: only the configuration hdl/prims.register_copy instantiates
// (CEMUX "1", REGSET "RESET", SRMODE "LSR_OVER_CE": LSR a synchronous reset
// to 0, GSR disabled): a D flip-flop on the rising clock edge that powers up 0.
module TRELLIS_FF (
    input CLK, input DI, input LSR, input CE,
    output reg Q
);
    parameter GSR = "DISABLED";
    parameter CEMUX = "1";
    parameter CLKMUX = "CLK";
    parameter LSRMUX = "LSR";
    parameter SRMODE = "LSR_OVER_CE";
    parameter REGSET = "RESET";
    parameter LSRMODE = "LSR";
    initial Q = 1'b0;
    always @(posedge CLK) Q <= LSR ? 1'b0 : DI;
endmodule

// LUT4: Z = INIT[{D, C, B, A}].
module LUT4 (
    input A, input B, input C, input D,
    output Z
);
    parameter [15:0] INIT = 16'h0000;
    assign Z = INIT[{D, C, B, A}];
endmodule
